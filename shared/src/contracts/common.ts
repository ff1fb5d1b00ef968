import { z } from 'zod';
import { Limits } from './limits.js';

/** Every event carries the version of its schema; schemas only ever gain optional fields. */
export const SchemaVersion = z.literal(1);

export const Uuid = z.uuid();

/**
 * Orders writes to the same entity: microseconds since the epoch at the ingest that accepted the
 * event (made strictly increasing per process). Last writer wins per field.
 */
export const EventVersion = z.number().int().nonnegative();

/**
 * Timestamps travel as ISO-8601 in UTC with a zone. Requests may omit the zone (the Python SDK sends
 * naive datetimes): `normalizeTimestamp` treats those as UTC before they reach an event.
 */
export const Timestamp = z.iso.datetime({ offset: true, local: false });

export const Tags = z
  .record(
    z.string().min(1).max(Limits.tagKeyMaxChars, `tag keys are at most ${Limits.tagKeyMaxChars} characters`),
    z.string().max(Limits.tagValueMaxChars, `tag values are at most ${Limits.tagValueMaxChars} characters`),
  )
  .refine((tags) => Object.keys(tags).length <= Limits.tagsMax, `at most ${Limits.tagsMax} tags`);

export const Meta = z
  .record(z.string().max(Limits.metaKeyMaxChars), z.unknown())
  .refine(
    (meta) => Object.keys(meta).length <= Limits.metaMaxKeys,
    `at most ${Limits.metaMaxKeys} meta keys`,
  );

/** A JSON value already encoded as text (span input/output), so consumers never re-parse it. */
export const JsonText = z.string();

export const SpanStatus = z.enum(['ok', 'error', 'unset']);

export const TokenUsage = z.object({
  prompt_tokens: z.number().int().nonnegative().optional(),
  completion_tokens: z.number().int().nonnegative().optional(),
  total_tokens: z.number().int().nonnegative().optional(),
});
