// The community blocklist as members pull it (CrowdSec's CAPI stream, the local API's shape) and
// the reputation of one address.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest } from '../../api/errors';
import { isIpAddress } from '../../store/ip-range';
import { formatRfc3339 } from '../../time/go-time';
import { authenticatedMember, type CentralContext, perCaller } from '../context';
import { streamJson } from '../render';

const JSON_TYPE = 'application/json; charset=utf-8';

export function blocklistRoutes(app: FastifyInstance, ctx: CentralContext): void {
  app.get<{ Querystring: Record<string, string> }>('/v2/decisions/stream', { config: perCaller(ctx.config.limits.pullsPerMinute) }, async (req, reply) => {
    const member = await authenticatedMember(ctx, req);
    const startup = req.query.startup ?? 'false';
    if (startup !== 'true' && startup !== 'false') throw badRequest(`startup must be true or false, not '${startup.slice(0, 32)}'`);
    const { pages, deleted, now } = await ctx.service.pull(member, startup === 'true');
    return reply.type(JSON_TYPE).send(Readable.from(streamJson(deleted, pages, now)));
  });

  app.get<{ Params: { ip: string } }>('/v1/ip/:ip', { config: perCaller(10 * ctx.config.limits.pullsPerMinute) }, async (req) => {
    await authenticatedMember(ctx, req);
    const ip = req.params.ip;
    if (!isIpAddress(ip)) throw new ApiError(400, `'${ip.slice(0, 64)}' is not an IP address`);
    const now = ctx.service.now();
    const r = await ctx.store.reputation(ip, now);
    return {
      ip,
      members: r.members,
      scenarios: r.scenarios,
      first_seen: r.firstSeen === null ? null : formatRfc3339(r.firstSeen),
      last_seen: r.lastSeen === null ? null : formatRfc3339(r.lastSeen),
      in_blocklist: r.entry !== null,
      blocklist: r.entry === null ? null : { scenario: r.entry.scenario, since: formatRfc3339(r.entry.createdAt), until: formatRfc3339(r.entry.until) },
    };
  });
}
