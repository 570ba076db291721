import type { Trace, TraceNode } from '../../engine/native';

const MATCHED = '✓';
const MISSED = '✗';

/** Quotes a value whose edges would be invisible (empty, leading or trailing blanks). */
function shownValue(value: string): string {
  return value === '' || value.trim() !== value ? JSON.stringify(value) : value;
}

function nodeLines(node: TraceNode, prefix: string, last: boolean): string[] {
  const branch = last ? '└─ ' : '├─ ';
  const below = prefix + (last ? '   ' : '│  ');
  const where = node.file ? `  (${node.file})` : '';
  const out = [`${prefix}${branch}${node.matched ? MATCHED : MISSED} ${node.name}${where}`];
  if (node.error) out.push(`${below}  error: ${node.error}`);
  for (const change of node.changes) out.push(`${below}  ${change.field} = ${shownValue(change.value)}`);
  const children = node.children ?? [];
  children.forEach((child, i) => out.push(...nodeLines(child, below, i === children.length - 1)));
  return out;
}

/** A per-stage tree of one line's way through the parsers, then the scenarios it reached. */
export function formatTrace(trace: Trace, label: string): string {
  const out = [`${label}: ${trace.line}`];
  for (const stage of trace.stages) {
    out.push(`├─ ${stage.stage}${stage.outcome === 'dropped' ? '  → dropped' : ''}`);
    if (stage.nodes.length === 0) out.push('│  └─ (no parser for this line)');
    stage.nodes.forEach((node, i) => out.push(...nodeLines(node, '│  ', i === stage.nodes.length - 1)));
  }
  const poured = trace.scenarios.filter((s) => s.poured || s.overflow);
  out.push('└─ scenarios');
  if (poured.length === 0) out.push('   └─ (none poured)');
  poured.forEach((s, i) => {
    const branch = i === poured.length - 1 ? '└─ ' : '├─ ';
    const key = s.groupby ? ` into ${s.groupby}` : '';
    out.push(`   ${branch}${MATCHED} ${s.name}  poured${key}${s.overflow ? ', OVERFLOW' : ''}`);
  });
  const verdict = trace.parsed ? 'parsed' : 'not parsed';
  out.push(`result: ${verdict}${trace.whitelisted ? ', whitelisted' : ''}`);
  return `${out.join('\n')}\n`;
}
