import { z } from 'zod';
import {
  EventVersion,
  JsonText,
  Meta,
  SchemaVersion,
  SpanStatus,
  Tags,
  Timestamp,
  TokenUsage,
  Uuid,
} from './common.js';
import { Limits } from './limits.js';

/** The fields of a span that a write can set; `null` clears a field, an absent key leaves it alone. */
export const SpanFields = z.object({
  name: z.string().min(1).max(Limits.nameMaxChars),
  parent_id: Uuid.nullable(),
  type: z.string().max(Limits.typeMaxChars).nullable(),
  start_time: Timestamp.nullable(),
  end_time: Timestamp.nullable(),
  input: JsonText.nullable(),
  output: JsonText.nullable(),
  error: z.string().max(Limits.errorMaxChars).nullable(),
  status: SpanStatus,
  /** Merged key by key into what the span has; a key set to null is removed; null removes them all. */
  meta: Meta.nullable(),
  /** Merged key by key like meta; tags are what users filter by; null removes them all. */
  tags: Tags.nullable(),
  model: z.string().max(Limits.modelMaxChars).nullable(),
  usage: TokenUsage,
  cost: z.number().nonnegative().nullable(),
  score: z.number().nullable(),
  /** Human feedback on the span (`POST /v2/spans/{id}/feedback`): a score in 0..1 and a comment. */
  feedback_score: z.number().min(0).max(1).nullable(),
  feedback_comment: z.string().max(Limits.commentMaxChars).nullable(),
});
export type SpanFields = z.infer<typeof SpanFields>;

const spanEventBase = {
  v: SchemaVersion,
  version: EventVersion,
  project_id: Uuid,
  /** The span. */
  id: Uuid,
  /** Resolved by ingest (from the parent when only `parent_id` was given); the Kafka key. */
  trace_id: Uuid,
  /** When ingest acknowledged it (ISO, UTC): the start of end-to-end visibility lag. */
  received_at: Timestamp,
};

/** Create or overwrite a span: `name` is required, other fields as given. */
export const SpanUpsertEvent = z.object({
  ...spanEventBase,
  kind: z.literal('span.upsert'),
  fields: SpanFields.partial().required({ name: true }),
});
export type SpanUpsertEvent = z.infer<typeof SpanUpsertEvent>;

/** Change some fields of a span; only the keys present apply. */
export const SpanPatchEvent = z.object({
  ...spanEventBase,
  kind: z.literal('span.patch'),
  fields: SpanFields.partial(),
});
export type SpanPatchEvent = z.infer<typeof SpanPatchEvent>;

/** Hide a span and its metrics from every read. */
export const SpanDeleteEvent = z.object({
  ...spanEventBase,
  kind: z.literal('span.delete'),
});
export type SpanDeleteEvent = z.infer<typeof SpanDeleteEvent>;

/** Everything on the spans topic. */
export const SpanEvent = z.discriminatedUnion('kind', [SpanUpsertEvent, SpanPatchEvent, SpanDeleteEvent]);
export type SpanEvent = z.infer<typeof SpanEvent>;
