import type { FastifyRequest } from 'fastify';
import type { TokenIssuer } from '../api/tokens';
import { ApiError } from '../api/errors';
import type { CentralConfig } from './config';
import type { CentralService } from './service';
import type { CentralStore, Member } from './store';

/** What every central route needs. */
export interface CentralContext {
  config: CentralConfig;
  store: CentralStore;
  service: CentralService;
  tokens: TokenIssuer;
  log: (message: string) => void;
}

/** The member behind a bearer token (CrowdSec's gin-jwt answers: 401 with `code`). */
export async function authenticatedMember(ctx: CentralContext, req: FastifyRequest): Promise<Member> {
  const machineId = ctx.tokens.machineOf(req.headers.authorization);
  const member = await ctx.store.member(machineId);
  if (!member) throw new ApiError(401, 'machine is not registered', true);
  return member;
}

/**
 * Rate limits of the authenticated routes, per caller: by its bearer token (one member, whatever
 * its address), else its address. A member pushes and pulls a few times a minute.
 */
export function perCaller(max: number): { rateLimit: { max: number; timeWindow: number; keyGenerator: (req: FastifyRequest) => string } } {
  return { rateLimit: { max, timeWindow: 60_000, keyGenerator: (req) => req.headers.authorization ?? req.ip } };
}
