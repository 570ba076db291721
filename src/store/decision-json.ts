// A decision as bouncers receive it, rendered by the database: the same text api/render.ts's
// bouncerDecision + JSON.stringify produce, for the stream's startup list. A startup pull sends
// every active decision; turning 100,000 rows into JS objects (node-sqlite3 makes one object per
// row, pg too) and back into JSON was most of its time. Here the database hands over each list as
// one string. test/api/stream-render.test.ts checks both renderings agree, on both databases.
import type { SqlDatabase } from './sql';

type Dialect = SqlDatabase['dialect'];

/** A JSON string literal of a text expression: byte-identical to JSON.stringify for any stored text. */
export function jsonQuoteSql(dialect: Dialect, text: string): string {
  return dialect === 'sqlite' ? `json_quote(${text})` : `to_json(${text})::text`;
}

/** `ms` (a non-negative integer expression) as Go's Duration.String() of ms * 1e6 ns. */
function positiveDuration(ms: string): string {
  const text = (e: string): string => `CAST(${e} AS TEXT)`;
  // Milliseconds as Go writes the fraction of a second: .5, .25, .125, nothing for whole seconds.
  const fraction = `(CASE WHEN ${ms} % 1000 = 0 THEN '' ELSE '.' || rtrim(substr(${text(`1000 + ${ms} % 1000`)}, 2), '0') END)`;
  const seconds = `${text(`${ms} / 1000 % 60`)} || ${fraction} || 's'`;
  return `(CASE WHEN ${ms} >= 3600000 THEN ${text(`${ms} / 3600000`)} || 'h' || ${text(`${ms} / 60000 % 60`)} || 'm' || ${seconds}`
    + ` WHEN ${ms} >= 60000 THEN ${text(`${ms} / 60000`)} || 'm' || ${seconds}`
    + ` WHEN ${ms} >= 1000 THEN ${text(`${ms} / 1000`)} || ${fraction} || 's'`
    + ` WHEN ${ms} > 0 THEN ${text(ms)} || 'ms'`
    + " ELSE '0s' END)";
}

/** Go's duration text of `ms`, an integer expression that may be negative (ended decisions). */
export function goDurationSql(ms: string): string {
  return `(CASE WHEN ${ms} < 0 THEN '-' || ${positiveDuration(`(0 - ${ms})`)} ELSE ${positiveDuration(ms)} END)`;
}

/**
 * The bouncer JSON object of decision `alias` with its time left at `nowSql` (an integer
 * literal): Go's field order, `simulated` only when true (omitempty).
 */
export function bouncerDecisionSql(dialect: Dialect, alias: string, nowSql: string): string {
  const d = `${alias}.`;
  return `'{"duration":"' || ${goDurationSql(`(${d}until - ${nowSql})`)} || '","id":' || CAST(${d}id AS TEXT)`
    + ` || ',"origin":' || ${jsonQuoteSql(dialect, `${d}origin`)} || ',"scenario":' || ${jsonQuoteSql(dialect, `${d}scenario`)}`
    + ` || ',"scope":' || ${jsonQuoteSql(dialect, `${d}scope`)} || (CASE WHEN ${d}simulated = 1 THEN ',"simulated":true' ELSE '' END)`
    + ` || ',"type":' || ${jsonQuoteSql(dialect, `${d}type`)} || ',"value":' || ${jsonQuoteSql(dialect, `${d}value`)} || '}'`;
}

/** The aggregate that joins rendered objects with commas in id order (NULL over no rows). SQLite ≥ 3.44. */
export function jsonListSql(dialect: Dialect, alias: string, object: string): string {
  return dialect === 'sqlite' ? `group_concat(${object}, ',' ORDER BY ${alias}.id)` : `string_agg(${object}, ',' ORDER BY ${alias}.id)`;
}
