import * as fs from 'node:fs';
// `crowdwatch central`: the community's central server on fastify, speaking CrowdSec's CAPI v2
// (register, login, signals, decisions stream, metrics), plus the reputation lookup.
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../api/errors';
import { newFastify } from '../api/http';
import { TokenIssuer } from '../api/tokens';
import { startMetricsServer, type MetricsServer } from '../metrics/server';
import type { CentralConfig } from './config';
import type { CentralContext } from './context';
import { blocklistRoutes } from './routes/blocklist';
import { memberRoutes } from './routes/members';
import { signalRoutes } from './routes/signals';
import { CentralService } from './service';
import { databaseUnavailable } from '../store/postgres';
import { CentralStore } from './store';

/** How often reports are resolved and entries expired between pulls. */
const SWEEP_EVERY_MS = 60_000;

export async function buildCentral(ctx: CentralContext): Promise<FastifyInstance> {
  const tls = ctx.config.tls;
  const https = tls ? { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) } : null;
  const app = newFastify({ bodyLimit: ctx.config.maxBodyBytes, https });
  await app.register(rateLimit, { global: false });

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    const status = error instanceof ApiError ? error.status : (error.statusCode ?? 500);
    if (status >= 400 && status < 500) ctx.service.metrics.refusedRequest();
    if (error instanceof ApiError) return reply.code(error.status).send(error.body());
    if (databaseUnavailable(error)) {
      ctx.log(`database unavailable: ${error.message}`);
      return reply.code(503).header('retry-after', '5').send({ message: 'database unavailable, retry later' });
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ message: error.validation ? `invalid request: ${error.message}` : error.message });
    }
    ctx.log(`internal error: ${error.stack ?? error.message}`);
    return reply.code(500).send({ message: 'internal error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ message: 'not found' }));

  app.get('/health', async () => ({ status: 'up' }));
  memberRoutes(app, ctx);
  signalRoutes(app, ctx);
  blocklistRoutes(app, ctx);
  return app;
}

export interface RunningCentral {
  app: FastifyInstance;
  url: string;
  ctx: CentralContext;
  metrics: MetricsServer | null;
  close(): Promise<void>;
}

export interface CentralOptions {
  log?: (message: string) => void;
  /** The clock consensus runs on (tests move it forward). */
  now?: () => number;
  /** Sweep on a timer (off in tests, which call `ctx.service.sweep()`). */
  sweepEveryMs?: number | null;
}

export async function startCentral(config: CentralConfig, options: CentralOptions = {}): Promise<RunningCentral> {
  const log = options.log ?? (() => undefined);
  const store = await CentralStore.open(config.store, log);
  let app: FastifyInstance | null = null;
  try {
    const secret = process.env.CROWDWATCH_CENTRAL_SECRET ?? (await store.setting('jwt_secret', () => TokenIssuer.newSecret()));
    const service = await CentralService.open(store, config.consensus, options.now ?? Date.now);
    const ctx: CentralContext = { config, store, service, tokens: new TokenIssuer(secret), log };
    app = await buildCentral(ctx);
    await app.listen({ host: config.listen.host, port: config.listen.port });
    const metrics = config.prometheus
      ? await startMetricsServer(config.prometheus.host, config.prometheus.port, async () => service.metrics.families(await store.memberCount()), (m) => log(m))
      : null;
    const every = options.sweepEveryMs === undefined ? SWEEP_EVERY_MS : options.sweepEveryMs;
    const timer = every === null ? null : setInterval(() => void service.sweep().catch((e: Error) => log(`sweep: ${e.message}`)), every);
    timer?.unref();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.listen.port;
    const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
    const running = app;
    return {
      app: running,
      ctx,
      metrics,
      url: `${config.tls ? 'https' : 'http'}://${host}:${port}`,
      async close() {
        if (timer) clearInterval(timer);
        await metrics?.close();
        await running.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
