import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashPassword, verifyPassword } from '../credentials';
import { type ApiContext, userAgent } from '../context';
import { ApiError } from '../errors';
import { WATCHER_CREDENTIALS as credentials } from '../http';


const badLogin = (): ApiError => new ApiError(401, 'incorrect Username or Password', true);

/** Agent registration and login (JWT), and token refresh. */
export function watcherRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { machine_id: string; password: string } }>('/v1/watchers', { schema: { body: credentials } }, async (req, reply) => {
    const created = await ctx.store.machines.add(req.body.machine_id, await hashPassword(req.body.password), false);
    if (!created) throw new ApiError(403, `user '${req.body.machine_id}': user already exist`);
    return reply.code(201).send();
  });

  app.post<{ Body: { machine_id: string; password: string; scenarios?: string[] | null } }>(
    '/v1/watchers/login',
    { schema: { body: credentials }, config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (req) => {
      const agent = userAgent(req.headers['user-agent']);
      const machine = await ctx.store.machines.get(req.body.machine_id);
      // Verify a password even for an unknown machine, so timing does not tell which exist.
      const ok = await verifyPassword(req.body.password, machine?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      if (!machine || !ok || !machine.isValidated || agent === null) throw badLogin();
      await ctx.store.machines.recordLogin(machine.machineId, req.ip, agent.version, req.body.scenarios ?? []);
      return ctx.tokens.issue(machine.machineId);
    },
  );

  app.get('/v1/refresh_token', async (req) => {
    const machineId = await authenticatedMachine(ctx, req);
    return ctx.tokens.issue(machineId);
  });
}

/** The machine behind a bearer token; it must still exist and be validated. */
export async function authenticatedMachine(ctx: ApiContext, req: FastifyRequest): Promise<string> {
  const machineId = ctx.tokens.machineOf(req.headers.authorization);
  const machine = await ctx.store.machines.get(machineId);
  if (!machine || !machine.isValidated) throw new ApiError(401, 'machine is not registered or not validated', true);
  ctx.metrics.identify(req, 'machine', machineId);
  return machineId;
}
