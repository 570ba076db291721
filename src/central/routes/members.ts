// Registration, login, metrics and a member's own standing. Registration is not open by default:
// a member comes with a one-time enrollment token or is added by the operator, so no one can make
// members by the dozen to outvote the real ones (config `registration`). A new member has
// weight 1 and earns more only through corroborated reports.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { hashPassword, verifyPassword } from '../../api/credentials';
import { ApiError } from '../../api/errors';
import { formatRfc3339 } from '../../time/go-time';
import { authenticatedMember, type CentralContext } from '../context';
import { WATCHER_CREDENTIALS as credentials } from '../../api/http';


/** Verified for an unknown member too, so timing does not tell which ids exist. */
const NO_PASSWORD = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

const time = (ms: number | null): string | null => (ms === null ? null : formatRfc3339(ms));

/** The token as stored: its sha256 (a leaked database gives no usable token). */
export function enrollmentTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Refuses a registration the config does not allow (403), using up the token of one it does. */
async function admit(ctx: CentralContext, token: string | undefined): Promise<void> {
  const mode = ctx.config.registration;
  if (mode === 'open') return;
  if (mode === 'closed') throw new ApiError(403, 'registration is closed: the operator adds members (crowdwatch central members add)');
  if (token === undefined) throw new ApiError(403, 'registration needs an enrollment token (crowdwatch central tokens add)');
  if (!(await ctx.store.useEnrollmentToken(enrollmentTokenHash(token), ctx.service.now()))) {
    throw new ApiError(403, 'this enrollment token is unknown, used up or expired');
  }
}

export function memberRoutes(app: FastifyInstance, ctx: CentralContext): void {
  app.post<{ Body: { machine_id: string; password: string; registration_token?: string } }>('/v2/watchers', { schema: { body: credentials }, config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (req, reply) => {
    const token = req.body.registration_token;
    await admit(ctx, token);
    const created = await ctx.store.addMember(req.body.machine_id, await hashPassword(req.body.password), ctx.service.now());
    if (!created) {
      // The id was taken: the token was not used for anything, it stays valid.
      if (token !== undefined && ctx.config.registration === 'token') await ctx.store.refundEnrollmentToken(enrollmentTokenHash(token));
      throw new ApiError(403, `user '${req.body.machine_id}': user already exist`);
    }
    return reply.code(201).send();
  });

  app.post<{ Body: { machine_id: string; password: string; scenarios?: string[] | null } }>(
    '/v2/watchers/login',
    { schema: { body: credentials }, config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (req) => {
      const member = await ctx.store.member(req.body.machine_id);
      const ok = await verifyPassword(req.body.password, member?.passwordHash ?? NO_PASSWORD);
      if (!member || !ok) throw new ApiError(401, 'incorrect Username or Password', true);
      await ctx.store.recordLogin(member.id, req.body.scenarios ?? [], req.headers['user-agent'] ?? '', ctx.service.now());
      return ctx.tokens.issue(member.machineId, ctx.service.now());
    },
  );

  // CrowdSec's LAPI reports its machines and bouncers here; only the time is kept (their names
  // and versions say nothing about attacks, and the central does not need them).
  app.post('/v2/metrics/', { schema: { body: { type: 'object' } } }, async (req) => {
    const member = await authenticatedMember(ctx, req);
    await ctx.store.recordMetrics(member.id, ctx.service.now());
    return { message: 'OK' };
  });

  // A member's own standing: what its reports have earned it.
  app.get('/v1/members/me', async (req) => {
    const member = await authenticatedMember(ctx, req);
    const standing = ctx.service.consensus.standing(member.machineId);
    return {
      machine_id: member.machineId,
      weight: ctx.service.consensus.weight(member.machineId),
      corroborated: standing.corroborated,
      uncorroborated: standing.uncorroborated,
      pending: ctx.service.consensus.pendingCount(member.machineId),
      signals: member.signals,
      registered_at: time(member.createdAt),
      last_push: time(member.lastPush),
      last_pull: time(member.lastPull),
    };
  });
}
