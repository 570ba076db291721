// A small aligned-columns printer: enough for alert and count tables, no dependency.

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** Display width of a cell: code points, so "✓" and accented names count as one. */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Renders rows under their headers, columns separated by two spaces, with no trailing blanks. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], header = true): string {
  const sizes = columns.map((c, i) => Math.max(header ? width(c.header) : 0, ...rows.map((r) => width(r[i] ?? ''))));
  const render = (cells: readonly string[]): string =>
    columns
      .map((c, i) => pad(cells[i] ?? '', sizes[i] ?? 0, c.align ?? 'left'))
      .join('  ')
      .trimEnd();
  const lines = rows.map(render);
  if (header) lines.unshift(render(columns.map((c) => c.header)));
  return lines.map((l) => `${l}\n`).join('');
}

/** Two-column "name  value" block, values right-aligned. */
export function formatPairs(pairs: readonly (readonly [string, string])[]): string {
  return formatTable([{ header: '' }, { header: '', align: 'right' }], pairs, false);
}
