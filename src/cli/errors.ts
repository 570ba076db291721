import { formatDiagnostic } from '../engine/diagnostic';
import type { Diagnostic } from '../engine/native';

export { formatDiagnostic };

/** Exit statuses: 0 ok, 1 findings or a runtime failure, 2 usage or configuration, 70 a bug. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** Codes whose message is a list of `file:line: message` problems in the user's config. */
const CONFIG_CODES = new Set(['CW_CONFIG', 'CW_PATTERN', 'CW_CONFIG_DIR']);

/** Codes of mistakes in flags, values or config files, with a message that says which. */
const USAGE_CODES = new Set(['CW_USAGE', 'CW_CONFIG_FILE', 'CW_STORE_INPUT', 'CW_STORE_VERSION', 'CW_IMPORT']);

/** Codes that mean a bug in crowdwatch (a misused binding, a panic), not a user mistake. */
const BUG_CODES = new Set(['CW_ARG', 'CW_PANIC', 'CW_INTERNAL', 'CW_PROTOCOL', 'CW_BUSY']);

interface CodedError extends Error {
  code?: unknown;
  path?: unknown;
  diagnostics?: unknown;
}

function isDiagnostic(value: unknown): value is Diagnostic {
  const d = value as Partial<Diagnostic> | null;
  return d !== null && typeof d === 'object' && typeof d.file === 'string' && typeof d.message === 'string';
}


function configMessage(err: CodedError): string {
  const diagnostics = Array.isArray(err.diagnostics) ? err.diagnostics.filter(isDiagnostic) : [];
  if (diagnostics.length === 0) return `configuration error: ${err.message}`;
  const lines = diagnostics.map((d) => `  ${formatDiagnostic(d)}`);
  return `the configuration failed to load (${diagnostics.length} problem(s)):\n${lines.join('\n')}`;
}

/** Maps anything a command throws to an exit status and a message for stderr. */
export function describeError(error: unknown): { exitCode: number; message: string } {
  if (!(error instanceof Error)) return { exitCode: EXIT_INTERNAL, message: `internal error: ${String(error)}` };
  const err = error as CodedError;
  const code = typeof err.code === 'string' ? err.code : '';
  if (CONFIG_CODES.has(code)) return { exitCode: EXIT_USAGE, message: configMessage(err) };
  if (code === 'CW_NATIVE_MISSING' || code === 'CW_NATIVE_LOAD') {
    return { exitCode: EXIT_FAILURE, message: err.message };
  }
  if (BUG_CODES.has(code)) {
    return { exitCode: EXIT_INTERNAL, message: `internal error (${code}): ${err.message}; please report it` };
  }
  if (USAGE_CODES.has(code)) return { exitCode: EXIT_USAGE, message: err.message };
  if (code.startsWith('CW_')) return { exitCode: EXIT_FAILURE, message: `${err.message} (${code})` };
  if (typeof err.path === 'string' && /^E[A-Z]+$/.test(code)) {
    return { exitCode: EXIT_FAILURE, message: `${err.path}: ${err.message}` };
  }
  // Database and network failures (SQLITE_CANTOPEN, ECONNREFUSED…) are the environment, not a bug.
  if (/^(SQLITE_[A-Z_]+|E[A-Z]+)$/.test(code)) return { exitCode: EXIT_FAILURE, message: `${err.message} (${code})` };
  return { exitCode: EXIT_INTERNAL, message: `internal error: ${err.stack ?? err.message}` };
}
