import { describe, expect, it } from 'vitest';
import { evaluateSeries } from './series.js';
import { initialRuleState, type RuleCondition, stateAfter, step } from './state.js';

const rule: RuleCondition = {
  comparator: '<',
  threshold: 3.5,
  for_seconds: 10,
  no_data: 'keep',
  repeat_interval_seconds: 60,
};

describe('rule state machine', () => {
  it('fires once the condition held for `for`, reminds after the repeat interval, resolves once', () => {
    let s = initialRuleState();
    const kinds: (string | null)[] = [];
    for (const [t, v] of [
      [0, 3],
      [5_000, 3],
      [10_000, 3],
      [20_000, 3],
      [70_000, 3],
      [75_000, 4],
      [80_000, 4],
    ] as const) {
      const r = step(s, v, t, rule);
      s = r.state;
      kinds.push(r.emit);
    }
    expect(kinds).toEqual([null, null, 'firing', null, 'reminder', 'resolved', null]);
    expect(s.seq).toBe(3);
  });

  it('a crossing shorter than `for` never fires', () => {
    let s = initialRuleState();
    s = step(s, 3, 0, rule).state;
    s = step(s, 4, 5_000, rule).state;
    expect(step(s, 3, 12_000, rule).emit).toBeNull();
  });

  it('applies the no-data policy', () => {
    const firing = stateAfter({ kind: 'firing', seq: 4, atMs: 0 });
    expect(step(firing, null, 1, { ...rule, no_data: 'keep' }).emit).toBeNull();
    expect(step(firing, null, 1, { ...rule, no_data: 'ok' }).emit).toBe('resolved');
    const noData = step(firing, null, 1, { ...rule, no_data: 'no_data' });
    expect([noData.emit, noData.state.status, noData.state.seq]).toEqual(['no_data', 'no_data', 5]);
    expect(step(noData.state, null, 2, { ...rule, no_data: 'no_data' }).emit).toBeNull();
    expect(step(initialRuleState(), null, 0, { ...rule, for_seconds: 0, no_data: 'firing' }).emit).toBe(
      'firing',
    );
  });

  it('a new owner continues from the last stored event', () => {
    expect(stateAfter({ kind: 'reminder', seq: 7, atMs: 9 })).toEqual({
      status: 'firing',
      pendingSince: null,
      lastNotifiedAt: 9,
      seq: 7,
    });
    expect(stateAfter({ kind: 'resolved', seq: 8, atMs: 9 }).status).toBe('ok');
  });
});

describe('evaluateSeries (preview)', () => {
  it('slides the window over exact values and reports the transitions', () => {
    const points = [0, 1, 2, 3, 4].map((i) => ({ t: i * 10_000, v: i < 3 ? 5 : 1 }));
    const out = evaluateSeries(
      points,
      { ...rule, for_seconds: 0, aggregation: 'avg', window_seconds: 10 },
      10_000,
      50_000,
      10_000,
    );
    expect(out.series.map((p) => p.value)).toEqual([5, 5, 5, 1, 1]);
    expect(out.transitions).toEqual([{ at: 40_000, kind: 'firing', value: 1 }]);
  });
});
