import type { OutputStream } from '../io';

export function writeJson(stream: OutputStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes a JSON array element by element, so a replay with millions of alerts never builds
 * one string larger than V8 allows.
 */
export function writeJsonArray(stream: OutputStream, items: readonly unknown[]): void {
  if (items.length === 0) {
    stream.write('[]\n');
    return;
  }
  const indent = (json: string): string => json.replace(/\n/g, '\n  ');
  stream.write('[\n');
  items.forEach((item, i) => {
    stream.write(`  ${indent(JSON.stringify(item, null, 2))}${i + 1 < items.length ? ',' : ''}\n`);
  });
  stream.write(']\n');
}
