import * as path from 'node:path';
import type * as Bindings from '../../bindings/index';
import { packageRoot } from './package-root';

export type {
  Alert,
  AssertOutcome,
  AlertEvent,
  AlertSource,
  BatchResult,
  Counters,
  DecisionHistory,
  Dump,
  Diagnostic,
  Engine,
  EngineError,
  EngineOptions,
  LintOptions,
  LintReport,
  MetaItem,
  ParserStats,
  ProfileDecision,
  ProfileOutcome,
  Profiles,
  ReloadReport,
  ScenarioStats,
  SourceHandle,
  SourceLabels,
  Stats,
  Trace,
  TraceNode,
  TraceStage,
} from '../../bindings/index';

// bindings/ is hand-written JS beside the .node file and is not compiled into dist/, so it is
// required from the package root at run time; the import above only brings its types.
let loaded: typeof Bindings | undefined;

/** The typed bindings module; the addon itself loads on first use (Engine.load / lint). */
export function bindings(): typeof Bindings {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a run-time path outside dist/ (see above); an import cannot name it
  loaded ??= require(path.join(packageRoot, 'bindings', 'index.js')) as typeof Bindings;
  return loaded;
}
