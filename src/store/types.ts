// What the store holds, as TypeScript sees it. Times are epoch milliseconds.
import type { AlertEvent, AlertSource, MetaItem } from '../engine/native';

// An alert's source, events and meta have the engine's shapes (CrowdSec's models).
export type { AlertEvent, AlertSource, MetaItem };

export interface Machine {
  id: number;
  machineId: string;
  passwordHash: string;
  ipAddress: string;
  scenarios: string;
  version: string;
  isValidated: boolean;
  createdAt: number;
  updatedAt: number;
  lastPush: number | null;
  lastHeartbeat: number | null;
}

export interface Bouncer {
  id: number;
  name: string;
  keyHash: string;
  ipAddress: string;
  type: string;
  version: string;
  createdAt: number;
  lastPull: number | null;
  /** The decision revision this bouncer's stream has seen up to. */
  lastRevision: number;
}

/** A decision about to be stored: the profile (or the CLI) has fixed its type, scope and end. */
export interface NewDecision {
  type: string;
  scope: string;
  value: string;
  origin: string;
  scenario: string;
  simulated: boolean;
  until: number;
}

/** An alert about to be stored, as an agent sent it, with the decisions made for it. */
export interface NewAlert {
  machineId: string;
  scenario: string;
  scenarioHash: string;
  scenarioVersion: string;
  message: string;
  eventsCount: number;
  startAt: string;
  stopAt: string;
  stopAtMs: number;
  capacity: number;
  leakspeed: string;
  simulated: boolean;
  remediation: boolean;
  source: AlertSource;
  events: AlertEvent[];
  meta: MetaItem[];
  labels: string[];
  decisions: NewDecision[];
  /**
   * The agent's own id for the alert: pushing the same one twice (a retry after a crash or a
   * lost answer) stores it once. CrowdSec 1.5+ sends the same field.
   */
  uuid?: string;
}

export interface Decision extends NewDecision {
  id: number;
  /** null once its alert was deleted (the decision stays, ended, so bouncers hear of it). */
  alertId: number | null;
  /** The write that last changed it (creation or early end); the stream follows revisions. */
  revision: number;
  createdAt: number;
}

export interface StoredAlert extends Omit<NewAlert, 'decisions'> {
  id: number;
  createdAt: number;
  decisions: Decision[];
}

/** Which decisions a query or a delete is about (GET/DELETE /v1/decisions, the stream, the CLI). */
export interface DecisionFilter {
  /** An address or CIDR range, with CrowdSec's `contains` (true: decisions containing it). */
  ip?: { text: string; contains: boolean };
  value?: string;
  /** Any of these values (an empty list selects nothing). */
  values?: readonly string[];
  type?: string;
  scopes?: string[];
  origins?: string[];
  scenariosContaining?: string[];
  scenariosNotContaining?: string[];
  scenario?: string;
  /** Include simulated decisions (bouncers never see them unless they ask). */
  includeSimulated?: boolean;
  id?: number;
}

/**
 * Origins of the decisions a blocklist pull makes: CrowdSec's CAPI and lists, a crowdwatch
 * central's `crowd`. Each pull is stored as one alert holding them.
 */
export const PULLED_ORIGINS: readonly string[] = ['CAPI', 'lists', 'crowd'];

/** Which alerts (GET/DELETE /v1/alerts, `alerts list`). */
export interface AlertFilter {
  scope?: string;
  value?: string;
  scenario?: string;
  ip?: { text: string; contains: boolean };
  since?: number;
  until?: number;
  createdBefore?: number;
  decisionType?: string;
  origin?: string;
  /** false: leave out the alerts of blocklist pulls (those with a decision of a `PULLED_ORIGINS` origin). */
  includeCapi?: boolean;
  hasActiveDecision?: boolean;
  simulated?: boolean;
  limit?: number;
  sortAscending?: boolean;
  id?: number;
  /** Alerts stored after this one (a cursor: the crowd push's). */
  afterId?: number;
}

export class StoreInputError extends Error {
  readonly code = 'CW_STORE_INPUT';
}
