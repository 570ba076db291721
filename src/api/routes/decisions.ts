import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hashApiKey, sameDigest } from '../credentials';
import { type ApiContext, userAgent } from '../context';
import { ApiError, forbidden } from '../errors';
import { LONG_POLL_HEADER } from '../long-poll';
import { decisionFilter, type Query, streamQuery } from '../query';
import { decisionList } from '../render';
import type { RenderedStartup } from '../../store/decisions';
import type { Bouncer } from '../../store/types';
import { authenticatedMachine } from './watchers';

const JSON_TYPE = 'application/json; charset=utf-8';
/** How often GET /v1/decisions updates a bouncer's "last seen" (a write per request would cost more than the read). */
const SEEN_EVERY_MS = 30_000;
/** Longest wait a long-polling bouncer may ask for, and how often a waiter rechecks the database. */
const MAX_WAIT_MS = 60_000;
const RECHECK_MS = 1000;

async function bouncerOf(ctx: ApiContext, req: FastifyRequest): Promise<Bouncer> {
  const key = req.headers['x-api-key'];
  if (typeof key !== 'string' || key.length === 0 || key.length > 256) throw forbidden();
  const hash = hashApiKey(key);
  const bouncer = await ctx.store.bouncers.byKeyHash(hash);
  if (!bouncer || !sameDigest(bouncer.keyHash, hash)) throw forbidden();
  ctx.metrics.identify(req, 'bouncer', bouncer.name);
  return bouncer;
}

function send(reply: FastifyReply, text: string): FastifyReply {
  return reply.type(JSON_TYPE).send(text);
}

/** Bouncer routes (X-Api-Key): live queries and the stream; watcher routes: deletions. */
export function decisionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const lastSeen = new Map<number, number>();

  app.get<{ Querystring: Query }>('/v1/decisions', async (req, reply) => {
    const bouncer = await bouncerOf(ctx, req);
    const now = Date.now();
    const filter = decisionFilter(req.query);
    const decisions = await ctx.store.decisions.active(filter, now);
    if (now - (lastSeen.get(bouncer.id) ?? 0) > SEEN_EVERY_MS) {
      lastSeen.set(bouncer.id, now);
      const agent = userAgent(req.headers['user-agent']) ?? { type: '', version: '' };
      await ctx.store.bouncers.recordSeen(bouncer.id, { at: now, ip: req.ip, ...agent });
    }
    ctx.metrics.decisionsServed(req, decisions.length > 0);
    return send(reply, decisionList(decisions, now));
  });

  app.get<{ Querystring: Query }>('/v1/decisions/stream', async (req, reply) => {
    const bouncer = await bouncerOf(ctx, req);
    const { filter, startup, dedup, waitMs } = streamQuery(req.query);
    let now = Date.now();
    let answer: RenderedStartup;
    if (startup) {
      // Every decision at once: selected, deduplicated and rendered by the database.
      answer = await ctx.store.decisions.streamStartup(filter, dedup, now);
    } else {
      const since = { lastPull: bouncer.lastPull, lastRevision: bouncer.lastRevision };
      // The long poll holds a quiet poll open until a decision changes or the wait ends.
      const deadline = now + Math.min(waitMs, MAX_WAIT_MS);
      let changes = await ctx.store.decisions.stream(filter, since, dedup, now);
      while (changes.fresh.length === 0 && changes.deleted.length === 0 && Date.now() < deadline) {
        await ctx.changes.next(Math.min(RECHECK_MS, deadline - Date.now()));
        if (req.raw.destroyed) return reply;
        now = Date.now();
        changes = await ctx.store.decisions.stream(filter, since, dedup, now);
      }
      answer = { fresh: decisionList(changes.fresh, now), deleted: decisionList(changes.deleted, now), lastRevision: changes.lastRevision };
    }
    const agent = userAgent(req.headers['user-agent']) ?? { type: '', version: '' };
    await ctx.store.bouncers.recordPull(bouncer.id, { at: now, lastRevision: answer.lastRevision, ip: req.ip, ...agent });
    ctx.metrics.decisionsServed(req, answer.fresh !== 'null' || answer.deleted !== 'null');
    reply.header(LONG_POLL_HEADER, `${MAX_WAIT_MS / 1000}s`);
    return send(reply, `{"deleted":${answer.deleted},"new":${answer.fresh}}`);
  });

  app.delete<{ Querystring: Query }>('/v1/decisions', async (req) => {
    await authenticatedMachine(ctx, req);
    const n = await ctx.store.decisions.expire(decisionFilter(req.query));
    if (n > 0) ctx.changes.notify();
    return { nbDeleted: String(n) };
  });

  app.delete<{ Params: { id: string } }>('/v1/decisions/:id', async (req) => {
    await authenticatedMachine(ctx, req);
    const text = req.params.id;
    if (!/^\d{1,15}$/.test(text)) throw new ApiError(400, `invalid decision id '${text.slice(0, 64)}'`);
    const n = await ctx.store.decisions.expire({ id: Number(text) });
    if (n === 0) throw new ApiError(404, 'decision not found');
    ctx.changes.notify();
    return { nbDeleted: String(n) };
  });
}
