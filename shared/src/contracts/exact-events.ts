import type { z } from 'zod';
import { Limits } from './limits.js';
import type { MetricEvent } from './metric-events.js';
import type { SpanEvent } from './span-events.js';
import {
  type Check,
  chars,
  isCount,
  isFiniteNumber,
  isMeta,
  isObject,
  isString,
  isTags,
  isTimestamp,
  isUuid,
} from './value-checks.js';

/**
 * Checks, in place, that a span or metric event read from Kafka is one its zod schema accepts exactly
 * as it is: every field valid and no key the schema does not know (zod would strip it). Consumers read
 * hundreds of thousands of events a second that ingest built from these schemas, and zod's walk, with
 * the copy of every object it returns, cost an eighth of the writer's CPU and a quarter of the
 * alerter's (profiled small spans). Anything not accepted here goes to zod, which accepts it
 * (stripped) or says why not, so what a consumer ends up with is what zod alone gives it;
 * `exact-events.test.ts` holds the two to that.
 */

type Fields = Record<string, unknown>;
/** A Map, so no key of an event can reach an inherited property. */
type Checks = ReadonlyMap<string, Check>;
type IsText = (value: unknown) => boolean;

const checks = (byKey: Record<string, Check>): Checks => new Map(Object.entries(byKey));
const orNull = (check: Check) => (v: unknown) => v === null || check(v);

const usageKeys = new Set(['prompt_tokens', 'completion_tokens', 'total_tokens']);
const isUsage = (v: unknown) => {
  if (!isObject(v)) return false;
  for (const k in v) if (!usageKeys.has(k) || !isCount(v[k])) return false;
  return true;
};

/** Each field a span write may set, with the check of its value (SpanFields). */
const spanFieldChecks = (isText: IsText): Checks =>
  checks({
    name: chars(1, Limits.nameMaxChars),
    parent_id: orNull(isUuid),
    type: orNull(chars(0, Limits.typeMaxChars)),
    start_time: orNull(isTimestamp),
    end_time: orNull(isTimestamp),
    input: orNull(isText),
    output: orNull(isText),
    error: orNull(chars(0, Limits.errorMaxChars)),
    status: (v) => v === 'ok' || v === 'error' || v === 'unset',
    meta: orNull(isMeta),
    tags: orNull(isTags),
    model: orNull(chars(0, Limits.modelMaxChars)),
    usage: isUsage,
    cost: (v) => v === null || (isFiniteNumber(v) && v >= 0),
    score: orNull(isFiniteNumber),
    feedback_score: (v) => v === null || (isFiniteNumber(v) && v >= 0 && v <= 1),
    feedback_comment: orNull(chars(0, Limits.commentMaxChars)),
  });

const metricFieldChecks = checks({
  dimension: chars(1, Limits.dimensionMaxChars),
  value: isFiniteNumber,
  comment: orNull(chars(0, Limits.commentMaxChars)),
});

const fieldsPass = (v: unknown, fields: Checks, required: string[]) => {
  if (!isObject(v)) return false;
  for (const k in v) {
    const check = fields.get(k);
    if (check === undefined || !Object.hasOwn(v, k) || !check(v[k])) return false;
  }
  return required.every((k) => Object.hasOwn(v, k));
};

/** The keys every event carries besides `kind` and `fields`, with their checks. */
const base: Record<string, Check> = {
  v: (v) => v === 1,
  version: isCount,
  project_id: isUuid,
  id: isUuid,
  trace_id: isUuid,
  received_at: isTimestamp,
  kind: isString,
};
const metricBase = { ...base, span_id: isUuid };

/** The keys are exactly those checked and each value passes. */
function exactly(e: Fields, keys: Checks): boolean {
  let seen = 0;
  for (const k in e) {
    const check = keys.get(k);
    if (check === undefined || !Object.hasOwn(e, k) || !check(e[k])) return false;
    seen++;
  }
  return seen === keys.size;
}

/** One set of checks per `kind`: the discriminated union. */
const byKind = (kinds: Record<string, Record<string, Check>>) => {
  const byName = new Map(Object.entries(kinds).map(([kind, keys]) => [kind, checks(keys)]));
  return (value: unknown) => {
    if (!isObject(value)) return false;
    const keys = byName.get(value.kind as string);
    return keys !== undefined && exactly(value, keys);
  };
};

/**
 * A check for span events zod's `SpanEvent` accepts unchanged. `isText` judges input and output; a
 * consumer that holds them as something other than strings (tokens) says what it accepts.
 */
export function exactSpanEventCheck(isText: IsText = isString): (value: unknown) => value is SpanEvent {
  const fields = spanFieldChecks(isText);
  return byKind({
    'span.upsert': { ...base, fields: (v) => fieldsPass(v, fields, ['name']) },
    'span.patch': { ...base, fields: (v) => fieldsPass(v, fields, []) },
    'span.delete': base,
  }) as (value: unknown) => value is SpanEvent;
}

export const isExactSpanEvent = exactSpanEventCheck();

/** A metric event zod's `MetricEvent` accepts unchanged. */
export const isExactMetricEvent = byKind({
  'metric.upsert': {
    ...metricBase,
    created_at: isTimestamp,
    fields: (v) => fieldsPass(v, metricFieldChecks, ['dimension', 'value']),
  },
  'metric.patch': { ...metricBase, fields: (v) => fieldsPass(v, metricFieldChecks, []) },
  'metric.delete': metricBase,
}) as (value: unknown) => value is MetricEvent;

/** `schema.safeParse(value)`, without zod's walk when `exact` already accepts the value as it is. */
export function parseExact<T>(
  schema: z.ZodType<T>,
  exact: (value: unknown) => boolean,
  value: unknown,
): z.ZodSafeParseResult<T> {
  return exact(value) ? { success: true, data: value as T } : schema.safeParse(value);
}
