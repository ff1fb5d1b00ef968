import { Timestamp, Uuid } from './common.js';
import { Limits } from './limits.js';

/**
 * In-place checks of the values the contracts' zod schemas check, for the hand-written parsers on hot
 * paths (`exact-events.ts`, `api/fast-requests.ts`): one place for the rules both apply.
 */

export type Check = (v: unknown) => boolean;

/** zod's own patterns, so a check cannot disagree with the schema on a uuid or a timestamp. */
const uuidPattern = Uuid._zod.def.pattern!;
const timestampPattern = Timestamp._zod.def.pattern!;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isUuid: Check = (v) => typeof v === 'string' && uuidPattern.test(v);
/** An event's timestamp: ISO-8601 with a zone (`Timestamp`), not normalised here. */
export const isTimestamp: Check = (v) => typeof v === 'string' && timestampPattern.test(v);
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
export const isString = (v: unknown): v is string => typeof v === 'string';
/** A string of `min..max` UTF-16 code units (zod's `.min`/`.max`). */
export const chars =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'string' && v.length >= min && v.length <= max;

/** A record whose own keys and values pass, with at most `max` keys. */
const record =
  (max: number, key: (k: string) => boolean, value: Check): Check =>
  (v) => {
    if (!isObject(v)) return false;
    let keys = 0;
    for (const k in v) {
      if (!Object.hasOwn(v, k) || ++keys > max || !key(k) || !value(v[k])) return false;
    }
    return true;
  };

/** `Meta`. */
export const isMeta = record(Limits.metaMaxKeys, chars(0, Limits.metaKeyMaxChars), () => true);
/** `Tags`. */
export const isTags = record(
  Limits.tagsMax,
  chars(1, Limits.tagKeyMaxChars),
  chars(0, Limits.tagValueMaxChars),
);
