import { createLogger } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { StreamAggregator, spanKey } from './aggregator.js';
import { identityOf, type LiveRule, RuleBook, StoredRuleSpec } from './rule-book.js';
import { emptySpanAttrs, mergeSpanFields } from './span-attrs.js';
import { WindowStore } from './window-store.js';

const P = '00000000-0000-4000-8000-000000000001';
const T = '00000000-0000-4000-8000-0000000000aa';
const logger = createLogger({ name: 'test', level: 'silent' });

function ruleOf(id: string, spec: object): LiveRule {
  const s = StoredRuleSpec.parse({ name: id, enabled: true, comparator: '>', threshold: 0, ...spec });
  return { ...s, id, projectId: P, secret: 's', version: 1, identity: identityOf(s) };
}

function setup(now: number, lookup = new Map()) {
  const rules = new RuleBook();
  const all = [
    ruleOf('all', { source: { type: 'metric', dimension: 'q' }, aggregation: 'count', window_seconds: 60 }),
    ruleOf('gen', {
      source: { type: 'metric', dimension: 'q' },
      filter: { name: 'generate', tags: { env: 'prod' } },
      aggregation: 'avg',
      window_seconds: 60,
    }),
    ruleOf('err', {
      source: { type: 'span', signal: 'span.error_rate' },
      aggregation: 'avg',
      window_seconds: 60,
    }),
  ];
  rules.replace(all);
  const windows = new WindowStore({ exactMax: 100, latenessMs: 0 });
  windows.sync(all, now - 120_000);
  let clock = now;
  const agg = new StreamAggregator({
    rules,
    windows,
    lookupSpans: async () => lookup,
    logger,
    clock: () => clock,
    spanCacheMax: 100,
    joinWaitMs: 1_000,
    joinGiveUpMs: 10_000,
  });
  const value = (id: string) => windows.evaluate(rules.get(id)!, clock + 1_000)!.value;
  return { agg, value, advance: (ms: number) => (clock += ms) };
}

const iso = (ms: number) => new Date(ms).toISOString();
const base = { v: 1 as const, version: 1, project_id: P, trace_id: T, received_at: iso(0) };
const span = (id: string, fields: object, kind: 'span.upsert' | 'span.patch' = 'span.upsert') => ({
  ...base,
  id,
  kind,
  fields: { name: 'generate', ...fields },
});
const metric = (id: string, spanId: string, value: number, at: number) => ({
  ...base,
  id,
  span_id: spanId,
  kind: 'metric.upsert' as const,
  created_at: iso(at),
  fields: { dimension: 'q', value },
});

describe('StreamAggregator', () => {
  const now = 1_000_000;
  const S1 = '00000000-0000-4000-8000-000000000011';
  const S2 = '00000000-0000-4000-8000-000000000012';

  it('joins metrics with their span whether they arrive before or after it, and counts each metric once', async () => {
    const { agg, value } = setup(now);
    await agg.applyEvents([metric('m1', S1, 2, now - 5_000)] as never); // before its span
    expect(agg.pendingCount).toBe(1);
    await agg.applyEvents([span(S1, { tags: { env: 'prod' } }), metric('m2', S1, 4, now - 4_000)] as never);
    await agg.applyEvents([metric('m2', S1, 4, now - 4_000)] as never); // redelivered
    await agg.applyEvents([span(S2, { tags: { env: 'dev' } }), metric('m3', S2, 100, now - 3_000)] as never);
    expect(agg.pendingCount).toBe(0);
    expect(value('gen')).toBe(3);
    expect(value('all')).toBe(3);
  });

  it('looks spans it never saw up in storage after the join wait', async () => {
    const stored = mergeSpanFields(emptySpanAttrs(), { name: 'generate', tags: { env: 'prod' } });
    const { agg, value, advance } = setup(now, new Map([[spanKey({ projectId: P, spanId: S1 }), stored]]));
    await agg.applyEvents([metric('m1', S1, 7, now - 5_000)] as never);
    await agg.resolvePending();
    expect(value('gen')).toBeNull(); // not due yet
    advance(1_000);
    await agg.resolvePending();
    expect(value('gen')).toBe(7);
  });

  it('counts a span signal once, when the span ends', async () => {
    const { agg, value } = setup(now);
    await agg.applyEvents([
      span(S1, { start_time: iso(now - 9_000) }),
      span(S1, { end_time: iso(now - 8_000), status: 'error' }, 'span.patch'),
      span(S1, { end_time: iso(now - 8_000) }, 'span.patch'),
      span(S2, { start_time: iso(now - 9_000), end_time: iso(now - 7_000) }),
    ] as never);
    expect(value('err')).toBe(0.5);
  });
});
