import type { LintReport } from '../../engine/native';
import { formatDiagnostic } from '../errors';
import { formatTable } from './table';

export function lintErrorCount(report: LintReport): number {
  const failed = report.parsers.failed + report.scenarios.failed + report.patterns.failed;
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  return Math.max(failed, errors);
}

export function formatLintReport(report: LintReport): string {
  const kinds = [
    ['parsers', report.parsers],
    ['scenarios', report.scenarios],
    ['patterns', report.patterns],
  ] as const;
  const counts = formatTable(
    [{ header: 'KIND' }, { header: 'LOADED', align: 'right' }, { header: 'FAILED', align: 'right' }],
    kinds.map(([name, c]) => [name, String(c.loaded), String(c.failed)]),
  );
  const problems = report.diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('');
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = report.diagnostics.length - errors;
  const verdict = lintErrorCount(report) === 0 ? 'ok' : 'FAILED';
  return `${counts}${problems ? `\n${problems}` : ''}\n${verdict}: ${errors} error(s), ${warnings} warning(s)\n`;
}
