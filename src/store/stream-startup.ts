// The statement of a startup pull: every active decision and every ended one still stored, with
// the stream's dedup, rendered to bouncer JSON by the database (decision-json.ts). One statement
// (one snapshot) returns both lists, each as one string. It selects exactly what
// DecisionStore.stream(filter, null, …) selects; test/api/stream-render.test.ts compares the two on
// SQLite and PostgreSQL.
//
// Dedup is longestPerTarget: per (value, type, scope) the decision with the latest end, the
// smallest id on a tie; and an ended decision whose (value, type) an active one still covers is
// not sent as deleted. Each database gets the form whose plan cannot degrade:
// - SQLite: a correlated NOT EXISTS through the value index (forced: INDEXED BY), after an
//   index-only check that most values pass (no other decision on this value).
// - PostgreSQL: window functions, one scan and a sort for both lists. Its planner turns a NOT
//   EXISTS into a join whose shape depends on statistics; right after a bulk import (none yet) it
//   chose a plan that took 160 s for 100,000 decisions.
import { bouncerDecisionSql, jsonListSql } from './decision-json';
import { decisionWhere, type Where } from './filters';
import { type SqlDatabase, type SqlValue, sqlInteger } from './sql';
import type { DecisionFilter } from './types';

/** One statement answering a row with two columns, `fresh` and `deleted`: each list's objects joined with commas, NULL when empty. */
export function startupStatement(dialect: SqlDatabase['dialect'], filter: DecisionFilter, dedup: boolean, now: number, lastRevision: number): { sql: string; params: SqlValue[] } {
  const nowSql = sqlInteger(now);
  // At startup the revision bound keeps nearly every row: `+` keeps SQLite (no statistics) from
  // walking that index instead of `until`'s (the ended list: 23 ms → 1 ms with 100k active).
  const revision = (alias: string): string => `+${alias}.revision <= ${sqlInteger(lastRevision)}`;
  const selected = (alias: string, active: boolean | null): Where => {
    const where = decisionWhere(filter, dialect, alias).add(revision(alias));
    return active === null ? where : where.add(`${alias}.until ${active ? '>' : '<='} ${nowSql}`);
  };
  const list = jsonListSql(dialect, 'd', bouncerDecisionSql(dialect, 'd', nowSql));

  if (dialect === 'postgres') {
    // One pass over the filtered decisions, active and ended: `target_rank` orders each target's
    // decisions of one kind, `covered` says whether the (value, type) has an active one.
    const all = selected('d', null);
    const from = dedup
      ? `(SELECT d.*,
          row_number() OVER (PARTITION BY d.value, d.type, d.scope, d.until > ${nowSql} ORDER BY d.until DESC, d.id) AS target_rank,
          bool_or(d.until > ${nowSql}) OVER (PARTITION BY d.value, d.type) AS covered
        FROM decisions d WHERE ${all.sql}) d`
      : `decisions d WHERE ${all.sql}`;
    const fresh = dedup ? `d.until > ${nowSql} AND d.target_rank = 1` : `d.until > ${nowSql}`;
    const deleted = dedup ? `d.until <= ${nowSql} AND NOT d.covered AND d.target_rank = 1` : `d.until <= ${nowSql}`;
    return { sql: `SELECT ${list} FILTER (WHERE ${fresh}) AS fresh, ${list} FILTER (WHERE ${deleted}) AS deleted FROM ${from}`, params: all.params };
  }

  const fresh = selected('d', true);
  const ended = selected('d', false);
  if (dedup) {
    const longest = (where: Where, active: boolean): Where => {
      const other = selected('o', active);
      const alone = 'NOT EXISTS (SELECT 1 FROM decisions x INDEXED BY decisions_value WHERE x.value = d.value AND x.id <> d.id)';
      const longer = `NOT EXISTS (SELECT 1 FROM decisions o INDEXED BY decisions_value WHERE o.value = d.value AND o.type = d.type
          AND o.scope = d.scope AND ${other.sql} AND (o.until > d.until OR (o.until = d.until AND o.id < d.id)))`;
      return where.add(`(${alone} OR ${longer})`, ...other.params);
    };
    longest(fresh, true);
    const covering = selected('a', true);
    ended.add(`NOT EXISTS (SELECT 1 FROM decisions a INDEXED BY decisions_value WHERE a.value = d.value AND a.type = d.type AND ${covering.sql})`, ...covering.params);
    longest(ended, false);
  }
  return {
    sql: `SELECT (SELECT ${list} FROM decisions d WHERE ${fresh.sql}) AS fresh, (SELECT ${list} FROM decisions d WHERE ${ended.sql}) AS deleted`,
    params: [...fresh.params, ...ended.params],
  };
}
