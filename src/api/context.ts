import type { ApiConfig } from '../config/api-config';
import type { DecisionMaker } from '../profiles/decisions';
import type { Store } from '../store/store';
import type { DecisionChanges } from './changes';
import type { ApiMetrics } from './metrics';
import type { TokenIssuer } from './tokens';

/** What every route handler needs. */
export interface ApiContext {
  config: ApiConfig;
  store: Store;
  decider: DecisionMaker;
  tokens: TokenIssuer;
  changes: DecisionChanges;
  metrics: ApiMetrics;
  /** Operational messages (warnings from profiles, retention runs). */
  log: (message: string) => void;
}

/** `name/version` from a User-Agent; CrowdSec refuses watchers whose agent is not of that form. */
export function userAgent(header: string | undefined): { type: string; version: string } | null {
  const m = /^([^/\s]+)\/(\S*)/.exec(header ?? '');
  return m ? { type: m[1], version: m[2] } : null;
}
