import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../api/errors';
import { authenticatedMember, type CentralContext } from '../context';
import { type IncomingSignal, SIGNALS_SCHEMA, signalProblem } from '../signal';

/** POST /v2/signals: a batch is checked whole first; one malformed signal refuses the batch. */
export function signalRoutes(app: FastifyInstance, ctx: CentralContext): void {
  app.post<{ Body: IncomingSignal[] }>('/v2/signals', { schema: { body: SIGNALS_SCHEMA } }, async (req) => {
    const member = await authenticatedMember(ctx, req);
    for (let i = 0; i < req.body.length; i++) {
      const problem = signalProblem(req.body[i], i);
      if (problem) throw badRequest(problem);
    }
    const outcome = await ctx.service.push(member, req.body);
    return { message: 'OK', ...outcome };
  });
}
