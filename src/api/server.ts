import * as fs from 'node:fs';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance } from 'fastify';
import { type ApiConfig, apiUrl } from '../config/api-config';
import { DecisionMaker } from '../profiles/decisions';
import { databaseUnavailable } from '../store/postgres';
import { Store } from '../store/store';
import { DecisionChanges } from './changes';
import type { ApiContext } from './context';
import { type CrowdConfig, crowdCredentials, CrowdSync, memberId } from '../crowd/sync';
import type { Log } from '../log/logger';
import { ApiError } from './errors';
import { newFastify } from './http';
import { ApiMetrics } from './metrics';
import { alertRoutes } from './routes/alerts';
import { decisionRoutes } from './routes/decisions';
import { authenticatedMachine, watcherRoutes } from './routes/watchers';
import { TokenIssuer } from './tokens';

/** Builds the HTTP application over an open store (tests use it with `inject` or on a port). */
export async function buildApi(ctx: ApiContext): Promise<FastifyInstance> {
  const https = ctx.config.tls ? { cert: fs.readFileSync(ctx.config.tls.certFile), key: fs.readFileSync(ctx.config.tls.keyFile) } : null;
  const app = newFastify({ bodyLimit: ctx.config.maxBodyBytes, https, trustedProxies: ctx.config.trustedProxies });

  await app.register(rateLimit, { global: false });

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send(error.body());
    if (databaseUnavailable(error)) {
      ctx.log(`database unavailable: ${error.message}`);
      return reply.code(503).header('retry-after', '5').send({ message: 'database unavailable, retry later' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = error.validation ? `invalid request: ${error.message}` : error.message;
      return reply.code(status).send({ message });
    }
    ctx.log(`internal error: ${error.stack ?? error.message}`);
    return reply.code(500).send({ message: 'internal error' });
  });

  // A path we serve with another method is a 405, anything else a 404: the paths come from the
  // routes as they are registered, so the two can never disagree.
  const paths: RegExp[] = [];
  app.addHook('onRoute', (route) => {
    paths.push(new RegExp(`^${route.url.replace(/:[^/]+/g, '[^/]+')}$`));
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    return reply.code(paths.some((re) => re.test(path)) ? 405 : 404).send();
  });

  app.addHook('onResponse', async (req) => ctx.metrics.answered(req));

  app.get('/health', async () => ({ status: 'up' }));
  app.get('/v1/heartbeat', async (req, reply) => {
    const machineId = await authenticatedMachine(ctx, req);
    await ctx.store.machines.recordHeartbeat(machineId);
    return reply.code(200).send();
  });
  watcherRoutes(app, ctx);
  alertRoutes(app, ctx);
  decisionRoutes(app, ctx);
  return app;
}

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  ctx: ApiContext;
  /** The link to a central server, when config.yaml has `crowd:`. */
  crowd: CrowdSync | null;
  close(): Promise<void>;
}

/** How often retention runs; it never removes an alert that still carries an active decision. */
const RETENTION_EVERY_MS = 10 * 60_000;

async function startCrowdSync(store: Store, config: ApiConfig, crowd: CrowdConfig, log: Log, onDecisions: () => void): Promise<CrowdSync> {
  const creds = await crowdCredentials(crowd, memberId());
  const sync = new CrowdSync(store, creds, { allowlist: config.allowlist, log, onDecisions });
  sync.start(crowd.pushEveryMs, crowd.pullEveryMs);
  log(`crowd: member '${creds.machineId}' of ${creds.url}`);
  return sync;
}

/** Opens the store, loads the profiles and listens. `close` stops everything in order. */
export async function startApi(config: ApiConfig, log: Log = () => undefined): Promise<RunningApi> {
  const decider = DecisionMaker.load(config.profilesFile, config.allowlist, config.simulationFile);
  const store = await Store.open(config.store, (m) => log(m, 'warning'));
  const secret = process.env.CROWDWATCH_LAPI_SECRET ?? (await store.setting('jwt_secret', () => TokenIssuer.newSecret()));
  const ctx: ApiContext = { config, store, decider, tokens: new TokenIssuer(secret), changes: new DecisionChanges(() => store.decisions.revision()), metrics: new ApiMetrics(), log };
  const app = await buildApi(ctx);
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  // Runs from a timer nobody awaits: a failure is logged, never left as a rejection.
  const prune = (): void => {
    store.alerts.prune(config.retention).then(
      (n) => {
        if (n > 0) log(`retention: pruned ${n} alert(s)`);
      },
      (e: Error) => log(`retention: ${e.message}`),
    );
  };
  const timer = setInterval(prune, RETENTION_EVERY_MS);
  timer.unref();
  prune();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  let crowd: CrowdSync | null = null;
  if (config.crowd) {
    try {
      crowd = await startCrowdSync(store, config, config.crowd, log, () => ctx.changes.notify());
    } catch (error) {
      clearInterval(timer);
      await app.close();
      await store.close();
      throw error;
    }
  }
  return {
    app,
    ctx,
    crowd,
    url: apiUrl(config, port),
    async close() {
      await crowd?.stop();
      clearInterval(timer);
      ctx.changes.close();
      await app.close();
      await store.close();
    },
  };
}
