import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Limits } from '../contracts/limits.js';
import { AppError } from '../errors.js';
import { parseInput } from '../parse-input.js';
import { draw, keys, nullable, type Pool, pick, rng, sized, text } from '../testing/corpus.js';
import {
  DECLINE,
  type FastParse,
  fastCreateMetric,
  fastCreateSpan,
  fastIngestItem,
  fastUpdateSpan,
} from './fast-requests.js';
import { IngestItem } from './ingest-batch.js';
import { CreateMetricRequest } from './opper-metrics.js';
import { CreateSpanRequest, UpdateSpanRequest } from './opper-spans.js';

const uuid = '3b241101-e2bb-4255-8caf-4136c566a962';
const uuids: Pool = {
  good: [uuid, uuid.toUpperCase()],
  bad: ['3b241101-e2bb-9255-8caf-4136c566a962', 'x', 7],
};
const times: Pool = {
  good: [
    '2026-12-03T11:00:00.123Z',
    '2026-12-03T11:00:00.5+02:00',
    '2026-12-03T11:00:00.123456',
    '2024-02-29T23:59:59Z',
  ],
  bad: ['2023-02-29T00:00:00Z', '2026-12-03', 'yesterday', 0],
};
const meta: Pool = {
  good: [{}, { a: 1, b: { c: [null] } }, keys(Limits.metaMaxKeys, 'v'), { [text(256)]: 1 }],
  bad: [keys(Limits.metaMaxKeys + 1, 'v'), { [text(257)]: 1 }, [], 'meta'],
};
const tags: Pool = {
  good: [{}, { env: 'prod' }, keys(Limits.tagsMax, 'v'), { a: text(1024) }, { [text(128)]: '' }],
  bad: [keys(Limits.tagsMax + 1, 'v'), { '': 'x' }, { a: 1 }, { a: text(1025) }, { [text(129)]: 'v' }],
};
const usage: Pool = {
  good: [
    {},
    { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 },
    { prompt_tokens: 3, other: 'dropped' },
  ],
  bad: [{ prompt_tokens: -1 }, { total_tokens: 1.5 }, [], 'usage'],
};
const json: Pool = { good: ['text', { a: [1, 2] }, 3, null, [], text(2_000)], bad: [] };
const numbers = (good: unknown[], bad: unknown[]): Pool => ({ good, bad: [...bad, Number.NaN, '1', true] });

/** Each field as create accepts it (`null` = not given); update's pools add or remove `null` below. */
const spanFields = {
  name: sized(1, Limits.nameMaxChars),
  id: nullable(uuids),
  trace_id: nullable(uuids),
  parent_id: nullable(uuids),
  input: json,
  output: json,
  type: nullable(sized(0, Limits.typeMaxChars)),
  start_time: nullable(times),
  end_time: nullable(times),
  error: nullable(sized(0, Limits.errorMaxChars)),
  meta: nullable(meta),
  metadata: nullable(meta),
  score: nullable(numbers([0, -3, Number.MAX_SAFE_INTEGER], [1.5, 2 ** 53])),
  tags: nullable(tags),
  status: nullable({ good: ['ok', 'error', 'unset'], bad: ['OK', ''] }),
  model: nullable(sized(0, Limits.modelMaxChars)),
  usage: nullable(usage),
  cost: nullable(numbers([0, 2.5], [-0.1, Number.POSITIVE_INFINITY])),
};
const updateFields = {
  ...spanFields,
  name: { ...spanFields.name, bad: [...spanFields.name.bad, null] },
  start_time: { ...times, bad: [...times.bad, null] },
  status: { good: ['ok'], bad: ['OK', null] },
  usage: { ...usage, bad: [...usage.bad, null] },
};
const metricFields = {
  dimension: sized(1, Limits.dimensionMaxChars),
  value: numbers([0, -1.5, 1e300], [Number.POSITIVE_INFINITY]),
  comment: nullable(sized(0, Limits.commentMaxChars)),
};

function bodies(seed: number, count: number, pools: Record<string, Pool>, required: string[]): unknown[] {
  const random = rng(seed);
  return Array.from({ length: count }, () => {
    const body = draw(random, pools, required, 0.02);
    return random() < 0.005 ? pick(random, [[body], null, 'body']) : body;
  });
}

function items(seed: number, count: number): unknown[] {
  const random = rng(seed);
  const kinds = ['span.create', 'span.update', 'metric.create', 'metric.delete', 'span.other'];
  return Array.from({ length: count }, () => {
    const type = pick(random, kinds);
    const item: Record<string, unknown> = { type };
    if (type !== 'span.create') item.span_id = random() < 0.02 ? 'x' : uuid;
    if (type === 'metric.create' && random() < 0.5) item.id = random() < 0.1 ? null : uuid;
    if (type === 'metric.delete') item.metric_id = uuid;
    if (random() < 0.02) item.extra = 1;
    if (type === 'span.create') item.body = draw(random, spanFields, ['name'], 0.01);
    if (type === 'span.update') item.body = draw(random, updateFields, [], 0.01);
    if (type === 'metric.create') item.body = draw(random, metricFields, ['dimension', 'value'], 0.01);
    return item;
  });
}

/** Every value: the fast parser gives zod's output, or declines exactly where zod refuses. */
function holdToZod(
  fast: FastParse,
  schema: z.ZodType,
  values: unknown[],
): { parsed: number; refused: number } {
  let parsed = 0;
  let refused = 0;
  for (const value of values) {
    const zod = schema.safeParse(value);
    const out = fast(value);
    if (zod.success && out !== DECLINE && isDeepStrictEqual(out, zod.data)) parsed++;
    else if (!zod.success && out === DECLINE) refused++;
    else
      expect.fail(
        `zod ${zod.success ? JSON.stringify(zod.data) : 'refuses'}, fast ${out === DECLINE ? 'declines' : JSON.stringify(out)}: ${JSON.stringify(value)}`,
      );
  }
  return { parsed, refused };
}

// Corpora of tens of thousands of values through zod take seconds when CI's two cores are busy.
describe('fast request parsers', { timeout: 60_000 }, () => {
  it.each([
    ['CreateSpanRequest', fastCreateSpan, CreateSpanRequest, bodies(1, 20_000, spanFields, ['name'])],
    ['UpdateSpanRequest', fastUpdateSpan, UpdateSpanRequest, bodies(2, 20_000, updateFields, [])],
    [
      'CreateMetricRequest',
      fastCreateMetric,
      CreateMetricRequest,
      bodies(3, 10_000, metricFields, ['dimension', 'value']),
    ],
  ] as const)('%s: zod’s output, or declined where zod refuses', (_, fast, schema, values) => {
    const { parsed, refused } = holdToZod(fast, schema, values);
    // The corpus reaches both sides.
    expect(parsed).toBeGreaterThan(values.length / 4);
    expect(refused).toBeGreaterThan(values.length / 20);
  });

  it('IngestItem: the same for creates and updates; other kinds go to zod', () => {
    const all = items(4, 20_000);
    const handled = all.filter((i) =>
      ['span.create', 'span.update', 'metric.create'].includes((i as { type: string }).type),
    );
    const { parsed, refused } = holdToZod(fastIngestItem, IngestItem, handled);
    expect(parsed).toBeGreaterThan(handled.length / 2);
    expect(refused).toBeGreaterThan(handled.length / 50);
    for (const other of all.filter((i) => !handled.includes(i))) expect(fastIngestItem(other)).toBe(DECLINE);
  });

  it('parseInput answers a declined value with zod’s error naming the field', () => {
    const tooLong = { name: text(Limits.nameMaxChars + 1) };
    expect(fastCreateSpan(tooLong)).toBe(DECLINE);
    expect(() => parseInput(CreateSpanRequest, tooLong, 'body')).toThrow(AppError);
    expect(() => parseInput(CreateSpanRequest, tooLong, 'body')).toThrow(/^name: Too big/);
    expect(parseInput(CreateSpanRequest, { name: 'n', type: null, x: 1 }, 'body')).toEqual({
      name: 'n',
      type: undefined,
    });
  });
});
