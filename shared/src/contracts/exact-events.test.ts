import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { draw, keys, nullable, rng, sized, text } from '../testing/corpus.js';
import { exactSpanEventCheck, isExactMetricEvent, isExactSpanEvent, parseExact } from './exact-events.js';
import { Limits } from './limits.js';
import { MetricEvent } from './metric-events.js';
import { SpanEvent } from './span-events.js';

const uuid = '3b241101-e2bb-4255-8caf-4136c566a962';

/** For each kind of value: some zod accepts (first) and some it refuses, around every bound. */
const good = {
  uuid: [uuid, uuid.toUpperCase(), '00000000-0000-0000-0000-000000000000'],
  timestamp: ['2026-12-03T11:00:00.123Z', '2026-12-03T11:00:00+02:00', '2024-02-29T23:59:59.999999Z'],
  count: [0, 1, 1_764_700_000_000_000, Number.MAX_SAFE_INTEGER],
  number: [0, -1.5, 0.25, 1e300],
  unit: [0, 0.5, 1],
};
const bad = {
  uuid: ['3b241101-e2bb-9255-8caf-4136c566a962', 'not-a-uuid', `${uuid} `, 7, null],
  timestamp: ['2023-02-29T00:00:00Z', '2026-12-03T11:00:00', '2026-12-03 11:00:00Z', '', 0, null],
  count: [-1, 1.5, 2 ** 53, '1', null, Number.NaN],
  number: [Number.NaN, Number.POSITIVE_INFINITY, '1', true],
  unit: [-0.01, 1.01, '0.5'],
};
const pool = (name: keyof typeof good) => ({ good: good[name], bad: bad[name] });

const spanFields = (texts: unknown[]) => ({
  name: sized(1, Limits.nameMaxChars),
  parent_id: nullable(pool('uuid')),
  type: nullable(sized(0, Limits.typeMaxChars)),
  start_time: nullable(pool('timestamp')),
  end_time: nullable(pool('timestamp')),
  input: { good: [...texts, null], bad: [1, {}, []] },
  output: { good: [...texts, null], bad: [false] },
  error: nullable(sized(0, Limits.errorMaxChars)),
  status: { good: ['ok', 'error', 'unset'], bad: ['OK', '', null] },
  meta: {
    good: [{}, { a: 1, b: { c: [null] } }, keys(Limits.metaMaxKeys, 'v'), { [text(256)]: 1 }, null],
    bad: [keys(Limits.metaMaxKeys + 1, 'v'), { [text(257)]: 1 }, [], 'meta'],
  },
  tags: {
    good: [{}, { env: 'prod' }, keys(Limits.tagsMax, 'v'), { a: text(1024) }, { [text(128)]: '' }, null],
    bad: [keys(Limits.tagsMax + 1, 'v'), { '': 'x' }, { a: 1 }, { a: text(1025) }, { [text(129)]: 'v' }, []],
  },
  model: nullable(sized(0, Limits.modelMaxChars)),
  usage: {
    good: [{}, { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 }],
    bad: [null, { prompt_tokens: -1 }, { total_tokens: 1.5 }, { tokens: 1 }, []],
  },
  cost: { good: [0, 2.5, null], bad: [-0.1, Number.NaN, '1'] },
  score: nullable(pool('number')),
  feedback_score: nullable(pool('unit')),
  feedback_comment: nullable(sized(0, Limits.commentMaxChars)),
});
const metricFields = {
  dimension: sized(1, Limits.dimensionMaxChars),
  value: pool('number'),
  comment: nullable(sized(0, Limits.commentMaxChars)),
};
const base = (spanId: boolean) => ({
  v: { good: [1], bad: [2, '1'] },
  version: pool('count'),
  project_id: pool('uuid'),
  id: pool('uuid'),
  ...(spanId ? { span_id: pool('uuid') } : {}),
  trace_id: pool('uuid'),
  received_at: pool('timestamp'),
});

function events(seed: number, count: number, texts: unknown[]): unknown[] {
  const random = rng(seed);
  const kinds = [
    'span.upsert',
    'span.patch',
    'span.delete',
    'metric.upsert',
    'metric.patch',
    'metric.delete',
  ];
  return Array.from({ length: count }, () => {
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    const metric = kind.startsWith('metric.');
    const event = draw(random, base(metric), Object.keys(base(metric)));
    event.kind = random() < 0.01 ? 'span.other' : kind;
    if (kind === 'metric.upsert')
      event.created_at = random() < 0.03 ? '2026-02-30T00:00:00Z' : good.timestamp[0];
    if (!kind.endsWith('.delete') || random() < 0.02) {
      const required = { 'span.upsert': ['name'], 'metric.upsert': ['dimension', 'value'] }[kind] ?? [];
      event.fields = draw(random, metric ? metricFields : spanFields(texts), required);
    }
    return random() < 0.005 ? [event] : event;
  });
}

// Corpora of tens of thousands of values through zod take seconds when CI's two cores are busy.
describe('exact events', { timeout: 60_000 }, () => {
  const all = events(14, 30_000, ['', 'text', text(5_000)]);

  it('are accepted exactly when zod accepts them and returns them unchanged', () => {
    let accepted = 0;
    for (const event of all) {
      for (const [exact, schema] of [
        [isExactSpanEvent, SpanEvent],
        [isExactMetricEvent, MetricEvent],
      ] as const) {
        const zod = schema.safeParse(event);
        const unchanged = zod.success && isDeepStrictEqual(zod.data, event);
        if (exact(event) !== unchanged)
          expect.fail(`exact ${exact(event)}, zod ${unchanged}: ${JSON.stringify(event)}`);
        if (unchanged) accepted++;
      }
    }
    // The corpus reaches both sides: most events pass, and every kind of refusal occurs.
    expect(accepted).toBeGreaterThan(all.length / 4);
    expect(accepted).toBeLessThan(all.length * 0.9);
  });

  it('let a consumer accept its own form of input and output', () => {
    class Token {}
    const exact = exactSpanEventCheck((v) => typeof v === 'string' || v instanceof Token);
    /** The event with each token as a string, as the default check wants it. */
    const asStrings = (event: unknown) => {
      const fields = (event as { fields?: Record<string, unknown> }).fields;
      if (typeof fields !== 'object' || fields === null) return event;
      const copy = { ...fields };
      for (const key of ['input', 'output']) if (copy[key] instanceof Token) copy[key] = 'token';
      return { ...(event as object), fields: copy };
    };
    let accepted = 0;
    for (const event of events(15, 5_000, [new Token()])) {
      expect(exact(event)).toBe(isExactSpanEvent(asStrings(event)));
      if (exact(event)) accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
  });

  it('refuses keys and kinds that name inherited properties, without throwing', () => {
    const event = all.find((e) => isExactSpanEvent(e)) as Record<string, unknown>;
    for (const kind of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(isExactSpanEvent({ ...event, kind, name: 'x', length: 1 })).toBe(false);
    expect(isExactMetricEvent({ kind: 'valueOf' })).toBe(false);
    expect(isExactSpanEvent({ ...event, constructor: 1 })).toBe(false);
  });

  it('parseExact returns the value itself when exact, zod’s result otherwise', () => {
    const event = all.find((e) => isExactSpanEvent(e))!;
    const parsed = parseExact(SpanEvent, isExactSpanEvent, event);
    expect(parsed.success && parsed.data).toBe(event);
    const stripped = { ...(event as object), extra: 1 };
    const viaZod = parseExact(SpanEvent, isExactSpanEvent, stripped);
    expect(viaZod.success && viaZod.data).toEqual(event);
  });
});
