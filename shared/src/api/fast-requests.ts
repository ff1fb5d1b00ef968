import { Limits } from '../contracts/limits.js';
import { normalizeTimestamp } from '../contracts/timestamps.js';
import {
  type Check,
  chars,
  isCount,
  isFiniteNumber,
  isMeta,
  isObject,
  isTags,
  isUuid,
} from '../contracts/value-checks.js';

/**
 * Hand-written parsers for the request bodies ingest reads most (span and metric creates, span
 * updates, and `/v2/ingest` items of those kinds), giving what their zod schema gives or declining.
 * zod ran a transform on every optional field of every span, present or not (generated SDKs send
 * `null` for "not given"), and that was a sixth of ingest's CPU for small spans. A parser here declines
 * whatever it is not sure of, and `parseInput` then asks zod, which accepts it or names the bad field:
 * a request gets exactly zod's answer either way. `fast-requests.test.ts` holds each to its schema.
 */

/** What a fast parser returns when it leaves the value to zod. */
export const DECLINE: unique symbol = Symbol('decline');
export type FastParse = (value: unknown) => unknown;
type Parse = FastParse;

/** A value the check accepts, kept as it is. */
const when =
  (check: Check): Parse =>
  (v) =>
    check(v) ? v : DECLINE;
const str = (min: number, max: number) => when(chars(min, max));
const uuid = when(isUuid);
/** A request's timestamp: any ISO-8601 form, normalised to UTC microseconds (`RequestTimestamp`). */
const timestamp: Parse = (v) => (typeof v === 'string' ? (normalizeTimestamp(v) ?? DECLINE) : DECLINE);
const finite = when(isFiniteNumber);
const nonNegative = when((v) => isFiniteNumber(v) && v >= 0);
const safeInt = when(Number.isSafeInteger);
const count = when(isCount);
const anything: Parse = (v) => v;
const oneOf =
  (...values: string[]): Parse =>
  (v) =>
    values.includes(v as string) ? v : DECLINE;

/** `schema.optional()`. */
const optional =
  (p: Parse): Parse =>
  (v) =>
    v === undefined ? undefined : p(v);
/** `schema.nullable().optional()`. */
const nullable =
  (p: Parse): Parse =>
  (v) =>
    v === undefined || v === null ? v : p(v);
/** opper-spans' `optional(schema)`: `null` and `undefined` both become `undefined`. */
const notGiven =
  (p: Parse): Parse =>
  (v) =>
    v === undefined || v === null ? undefined : p(v);

/**
 * `z.object(shape)`: a new object with the shape's keys the value has (absent ones stay absent,
 * unknown ones are dropped, as zod strips them); `required` keys must be present.
 */
const object = (shape: Record<string, Parse>, required: readonly string[] = []): Parse => {
  const keys = Object.keys(shape);
  return (v) => {
    if (!isObject(v)) return DECLINE;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (!Object.hasOwn(v, key)) {
        if (required.includes(key)) return DECLINE;
        continue;
      }
      const parsed = shape[key]!(v[key]);
      if (parsed === DECLINE) return DECLINE;
      out[key] = parsed;
    }
    return out;
  };
};

const meta = when(isMeta);
const tags = when(isTags);
const usage = object({
  prompt_tokens: optional(count),
  completion_tokens: optional(count),
  total_tokens: optional(count),
});
const name = str(1, Limits.nameMaxChars);
const status = oneOf('ok', 'error', 'unset');

/** What a span write may set besides name, ids and texts (opper-spans' `spanWriteShape`). */
const spanWrite: Record<string, Parse> = {
  type: str(0, Limits.typeMaxChars),
  start_time: timestamp,
  end_time: timestamp,
  error: str(0, Limits.errorMaxChars),
  meta,
  metadata: meta,
  score: safeInt,
  tags,
  status,
  model: str(0, Limits.modelMaxChars),
  usage,
  cost: nonNegative,
};
const each = (wrap: (p: Parse) => Parse) =>
  Object.fromEntries(Object.entries(spanWrite).map(([key, p]) => [key, wrap(p)]));

/** `CreateSpanRequest`. */
export const fastCreateSpan = object(
  {
    name,
    id: notGiven(uuid),
    trace_id: notGiven(uuid),
    parent_id: notGiven(uuid),
    input: anything,
    output: anything,
    ...each(notGiven),
  },
  ['name'],
);

/** `UpdateSpanRequest`: `null` clears, except where a span cannot be without the field. */
export const fastUpdateSpan = object({
  name: optional(name),
  input: anything,
  output: anything,
  ...each(nullable),
  start_time: optional(timestamp),
  status: optional(status),
  usage: optional(usage),
});

/** `CreateMetricRequest`. */
export const fastCreateMetric = object(
  {
    dimension: str(1, Limits.dimensionMaxChars),
    value: finite,
    comment: nullable(str(0, Limits.commentMaxChars)),
  },
  ['dimension', 'value'],
);

const ingestItems: Record<string, Parse> = {
  'span.create': object({ type: anything, body: fastCreateSpan }, ['type', 'body']),
  'span.update': object({ type: anything, span_id: uuid, body: fastUpdateSpan }, ['type', 'span_id', 'body']),
  'metric.create': object({ type: anything, span_id: uuid, id: optional(uuid), body: fastCreateMetric }, [
    'type',
    'span_id',
    'body',
  ]),
};

/** `IngestItem`, for the kinds sent most; other kinds go to zod. */
export const fastIngestItem: Parse = (v) => {
  const type = isObject(v) ? v.type : undefined;
  const parse = typeof type === 'string' && Object.hasOwn(ingestItems, type) ? ingestItems[type] : undefined;
  return parse ? parse(v) : DECLINE;
};
