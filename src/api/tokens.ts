import * as crypto from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { formatRfc3339 } from '../time/go-time';
import { ApiError } from './errors';

const LIFETIME_MS = 3600_000;

/** Watcher tokens: HS256 JWTs with the machine id in `id`, valid one hour (as CrowdSec's). */
export class TokenIssuer {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verify: (token: string) => Record<string, unknown>;

  constructor(secret: string) {
    this.sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: LIFETIME_MS });
    this.verify = createVerifier({ key: secret, algorithms: ['HS256'] }) as (token: string) => Record<string, unknown>;
  }

  static newSecret(): string {
    return crypto.randomBytes(48).toString('base64url');
  }

  issue(machineId: string, now = Date.now()): { code: number; expire: string; token: string } {
    const token = this.sign({ id: machineId, orig_iat: Math.floor(now / 1000) });
    return { code: 200, expire: formatRfc3339(Math.floor((now + LIFETIME_MS) / 1000) * 1000), token };
  }

  /** The machine id of a valid token; a 401 ApiError (gin-jwt's shape) otherwise. */
  machineOf(authorization: string | undefined): string {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new ApiError(401, 'cookie token is empty', true);
    let claims: Record<string, unknown>;
    try {
      claims = this.verify(m[1]);
    } catch (error) {
      const expired = (error as { code?: string }).code === 'FAST_JWT_EXPIRED';
      throw new ApiError(401, expired ? 'Token is expired' : 'signature is invalid', true);
    }
    if (typeof claims.id !== 'string' || claims.id === '') throw new ApiError(401, 'signature is invalid', true);
    return claims.id;
  }
}
