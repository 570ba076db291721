import type { AssertReport, CaseResult } from '../../hubtest/run-case';
import { formatTable } from './table';

function asserts(report: AssertReport | undefined): string {
  return report === undefined ? '-' : `${report.passed}/${report.total}`;
}

const MARK: Record<CaseResult['status'], string> = { passed: 'ok', failed: 'FAIL', skipped: 'skip' };

/** The cases as a table, then what failed in each failed case, then the totals. */
export function formatHubtestReport(results: readonly CaseResult[]): string {
  const rows = results.map((r) => [r.name, MARK[r.status], asserts(r.parser), asserts(r.scenario), `${Math.round(r.elapsedMs)}ms`]);
  let out = formatTable(
    [{ header: 'TEST' }, { header: 'RESULT' }, { header: 'PARSER ASSERTS', align: 'right' }, { header: 'SCENARIO ASSERTS', align: 'right' }, { header: 'TIME', align: 'right' }],
    rows,
  );
  for (const r of results.filter((x) => x.status === 'failed')) {
    out += `\n${r.name}:\n`;
    if (r.reason !== undefined) out += `  ${r.reason.replace(/\n/g, '\n  ')}\n`;
    for (const report of [r.parser, r.scenario]) {
      for (const f of report?.failures ?? []) {
        const found = f.error !== undefined ? `error: ${f.error}` : f.found !== undefined ? `found ${f.found}` : 'false';
        out += `  ${report?.file}:${f.line}: ${f.expression}\n    ${found}\n`;
      }
    }
  }
  const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
  out += `\n${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`;
  return out;
}
