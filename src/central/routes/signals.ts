import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../api/errors';
import type { FastifyRequest } from 'fastify';
import { authenticatedMember, type CentralContext, perCaller } from '../context';
import type { Member } from '../store';
import { type IncomingSignal, SIGNALS_SCHEMA, signalProblem } from '../signal';

/**
 * POST /v2/signals: the member is authenticated as the request arrives, before its body is read;
 * a batch is checked whole; one malformed signal refuses the batch. `limits.pushes_per_minute`
 * a member (60).
 */
export function signalRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const members = new WeakMap<FastifyRequest, Member>();
  const authenticate = async (req: FastifyRequest): Promise<void> => {
    members.set(req, await authenticatedMember(ctx, req));
  };
  app.post<{ Body: IncomingSignal[] }>('/v2/signals', { onRequest: authenticate, schema: { body: SIGNALS_SCHEMA }, config: perCaller(ctx.config.limits.pushesPerMinute) }, async (req) => {
    const member = members.get(req) ?? (await authenticatedMember(ctx, req));
    for (let i = 0; i < req.body.length; i++) {
      const problem = signalProblem(req.body[i], i);
      if (problem) throw badRequest(problem);
    }
    const outcome = await ctx.service.push(member, req.body);
    return { message: 'OK', ...outcome };
  });
}
