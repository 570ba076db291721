import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IpRangeSet } from '../../store/ip-range';
import { alertsBodySchema, type PostedAlert, prepareAlerts } from '../alert-intake';
import type { ApiContext } from '../context';
import { ApiError, forbidden } from '../errors';
import { alertFilter, type Query } from '../query';
import { apiAlert } from '../render';
import { authenticatedMachine } from './watchers';

function jsonText(value: unknown): string {
  return JSON.stringify(value);
}

function alertId(text: string): number {
  const id = Number(text);
  if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(id)) throw new ApiError(400, `invalid alert id '${text.slice(0, 64)}'`);
  return id;
}

/** Agents push alerts; the CLI and dashboards read and delete them. */
export function alertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // Admin routes (deleting alerts) answer only callers in `trusted_ips`.
  const trusted = new IpRangeSet(ctx.config.trustedIps);
  const requireTrusted = (req: FastifyRequest): void => {
    if (!trusted.covers(req.ip)) throw forbidden();
  };
  // The token is checked as the request arrives, before its body is read or validated: a caller
  // without one learns 401 and nothing about the schema (CrowdSec's JWT middleware comes first).
  const pushers = new WeakMap<FastifyRequest, string>();
  const authenticate = async (req: FastifyRequest): Promise<void> => {
    pushers.set(req, await authenticatedMachine(ctx, req));
  };
  app.post<{ Body: PostedAlert[] }>('/v1/alerts', { onRequest: authenticate, schema: { body: alertsBodySchema } }, async (req, reply) => {
    const machineId = pushers.get(req) ?? (await authenticatedMachine(ctx, req));
    const now = Date.now();
    const { alerts, warnings } = await prepareAlerts(req.body, machineId, ctx.decider, ctx.store.decisions, now, ctx.config.crowd !== undefined);
    for (const w of warnings) ctx.log(`profiles: ${w}`);
    // Long-polling bouncers hear of the decisions as soon as they are committed, while the
    // database flushes them to disk; the agent's answer waits for that flush.
    const decided = alerts.some((a) => a.decisions.length > 0);
    const ids = await ctx.store.alerts.insert(alerts, now, { committed: decided ? () => ctx.changes.notify() : undefined });
    await ctx.store.machines.recordPush(machineId, now);
    return reply.code(201).send(ids.map(String));
  });

  const list = async (req: FastifyRequest<{ Querystring: Query }>) => {
    await authenticatedMachine(ctx, req);
    const now = Date.now();
    const alerts = await ctx.store.alerts.query(alertFilter(req.query, now), now);
    return alerts.length === 0 ? 'null' : jsonText(alerts.map((a) => apiAlert(a, now)));
  };
  app.get<{ Querystring: Query }>('/v1/alerts', async (req, reply) => reply.type('application/json; charset=utf-8').send(await list(req)));

  app.get<{ Params: { id: string } }>('/v1/alerts/:id', async (req) => {
    await authenticatedMachine(ctx, req);
    const alert = await ctx.store.alerts.get(alertId(req.params.id));
    if (!alert) throw new ApiError(404, 'object not found');
    return apiAlert(alert, Date.now());
  });

  app.delete<{ Querystring: Query }>('/v1/alerts', async (req) => {
    await authenticatedMachine(ctx, req);
    requireTrusted(req);
    const filter = alertFilter(req.query);
    delete filter.limit;
    const n = await ctx.store.alerts.delete(filter);
    ctx.changes.notify();
    return { nbDeleted: String(n) };
  });

  app.delete<{ Params: { id: string } }>('/v1/alerts/:id', async (req) => {
    await authenticatedMachine(ctx, req);
    requireTrusted(req);
    const n = await ctx.store.alerts.delete({ id: alertId(req.params.id) });
    if (n === 0) throw new ApiError(404, 'object not found');
    ctx.changes.notify();
    return { nbDeleted: String(n) };
  });
}
