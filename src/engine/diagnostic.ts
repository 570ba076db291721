import type { Diagnostic } from './native';

/** `file:line: severity: message`, as lint, load errors and reload warnings print it. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}` : d.file;
  return `${where}: ${d.severity ?? 'error'}: ${d.message}`;
}
