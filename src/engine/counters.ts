import type { Counters } from './native';

export function zeroCounters(): Counters {
  return {
    lines: 0,
    empty: 0,
    invalid_utf8: 0,
    truncated: 0,
    parsed: 0,
    unparsed: 0,
    whitelisted: 0,
    poured: 0,
    overflows: 0,
    alerts: 0,
    expr_errors: 0,
  };
}

/** Adds a batch delta into a running total; keys the engine adds later are summed too. */
export function addCounters(total: Counters, delta: Partial<Counters>): Counters {
  const sums = total as unknown as Record<string, number>;
  for (const [key, value] of Object.entries(delta)) {
    if (typeof value === 'number') sums[key] = (sums[key] ?? 0) + value;
  }
  return total;
}
