// What the local API and the central server share at the HTTP layer: fastify with the same
// limits and strict JSON-schema validation, and the watcher credentials body.
import Fastify, { type FastifyInstance } from 'fastify';

export interface HttpOptions {
  bodyLimit: number;
  https?: { cert: Buffer; key: Buffer } | null;
  /**
   * Proxies to read X-Forwarded-For past (from the right) for `req.ip`; without, `req.ip` is the
   * peer and the header is never read.
   */
  trustedProxies?: readonly string[];
}

export function newFastify(o: HttpOptions): FastifyInstance {
  return Fastify({
    ...(o.https ? { https: o.https } : {}),
    bodyLimit: o.bodyLimit,
    trustProxy: o.trustedProxies && o.trustedProxies.length > 0 ? [...o.trustedProxies] : false,
    logger: false,
    // Clients poll often and keep connections alive; these bound a slow or stuck one.
    connectionTimeout: 120_000,
    requestTimeout: 90_000,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, allowUnionTypes: true } },
  });
}

/** The body of register and login, on the local API (`/v1/watchers`) and the central (`/v2/watchers`). */
export const WATCHER_CREDENTIALS = {
  type: 'object',
  required: ['machine_id', 'password'],
  properties: {
    machine_id: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9._@:-]+$' },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    scenarios: { type: ['array', 'null'], maxItems: 10000, items: { type: 'string', maxLength: 4096 } },
    // CrowdSec 1.6's auto-registration field, which the central's enrollment tokens use.
    registration_token: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;
