import type { AlertEventKind } from '../api/alerts.js';
import type { Aggregation } from '../api/search.js';
import { aggregateExact } from './aggregate.js';
import { initialRuleState, type RuleCondition, step } from './state.js';

export interface TimedValue {
  /** Event time, ms. */
  t: number;
  v: number;
  traceId?: string;
}

export interface SeriesRule extends RuleCondition {
  aggregation: Aggregation;
  window_seconds: number;
}

/**
 * Evaluates a rule at every step in [fromMs, toMs] over exact values (sorted by time): the series of
 * window values and the transitions the state machine would have made, starting from `ok`.
 */
export function evaluateSeries(
  points: readonly TimedValue[],
  rule: SeriesRule,
  fromMs: number,
  toMs: number,
  stepMs: number,
) {
  const windowMs = rule.window_seconds * 1000;
  const series: { at: number; value: number | null }[] = [];
  const transitions: { at: number; kind: AlertEventKind; value: number | null }[] = [];
  let state = initialRuleState();
  let lo = 0;
  let hi = 0;
  for (let at = fromMs; at <= toMs; at += stepMs) {
    // Window [at - W, at): two pointers over the time-sorted points.
    while (lo < points.length && points[lo]!.t < at - windowMs) lo++;
    while (hi < points.length && points[hi]!.t < at) hi++;
    const values = points.slice(lo, Math.max(lo, hi)).map((p) => p.v);
    // A count of 0 is a value (silence is what `span.count < 1` watches for), not missing data.
    const shown = aggregateExact(values, rule.aggregation);
    series.push({ at, value: shown });
    const next = step(state, shown, at, rule);
    state = next.state;
    if (next.emit) transitions.push({ at, kind: next.emit, value: shown });
  }
  return { series, transitions };
}
