import { z } from 'zod';
import { Uuid } from '../contracts/common.js';
import { Limits } from '../contracts/limits.js';

/**
 * Response shapes of the Opper v2 reads, as the official SDKs validate them (../shared/opper-v2-api.md).
 * The server's tests parse its responses with these, and the OpenAPI document is generated from them.
 */

/** Every response timestamp carries its zone: `2025-01-01T12:00:00.123456Z`. */
export const ZonedTimestamp = z.iso.datetime({ offset: true });
const nullableTime = ZonedTimestamp.nullable();

/** `?limit&offset` of Opper list calls: limit 1..100 (default 100), offset >= 0. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PageQuery = z.output<typeof PageQuery>;

/** Opper wraps lists: `{meta: {total_count}, data: [...]}`. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ meta: z.object({ total_count: z.number().int() }), data: z.array(item) });

export const Feedback = z.object({ score: z.number().nullable(), comment: z.string().nullable() });

/** `GET /v2/spans/{id}`: the Opper span plus feedback and our extensions (tags, status, timing, usage). */
export const SpanView = z.object({
  id: Uuid,
  name: z.string(),
  trace_id: Uuid,
  parent_id: Uuid.nullable(),
  type: z.string().nullable(),
  start_time: nullableTime,
  end_time: nullableTime,
  input: z.unknown(),
  output: z.unknown(),
  error: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()).nullable(),
  score: z.number().int().nullable(),
  feedback: Feedback.nullable(),
  // Extensions beyond Opper's span (SDKs ignore unknown keys).
  tags: z.record(z.string(), z.string()),
  status: z.enum(['ok', 'error', 'unset']),
  duration_ms: z.number().nullable(),
  model: z.string().nullable(),
  usage: z.object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
  }),
  cost: z.number().nullable(),
});
export type SpanView = z.infer<typeof SpanView>;

export const MetricView = z.object({
  id: Uuid,
  span_id: Uuid,
  dimension: z.string(),
  value: z.number(),
  comment: z.string().nullable(),
  created_at: ZonedTimestamp,
});
export type MetricView = z.infer<typeof MetricView>;

/** `GET /v2/traces` items; `name`, `input`, `output` come from the root span. */
export const TraceSummary = z.object({
  id: Uuid,
  name: z.string().nullable(),
  start_time: nullableTime,
  end_time: nullableTime,
  duration_ms: z.number().int().nullable(),
  status: z.string().nullable(),
  input: z.string().nullable(),
  output: z.string().nullable(),
  total_tokens: z.number().int(),
  // Extensions.
  root_span_id: Uuid.nullable(),
  span_count: z.number().int(),
  error_count: z.number().int(),
  total_cost: z.number(),
  tags: z.record(z.string(), z.string()),
});
export type TraceSummary = z.infer<typeof TraceSummary>;

/**
 * A trace in search results (our extension): its summary with the root's `input` and `output` cut to
 * their first 256 characters, and whether each was longer. `GET /v2/traces/{id}` returns them whole.
 */
export const TraceListItem = TraceSummary.extend({
  input_truncated: z.boolean(),
  output_truncated: z.boolean(),
});
export type TraceListItem = z.infer<typeof TraceListItem>;

/** A span inside `GET /v2/traces/{id}`: Opper's view, with tags as `key:value` strings. */
export const TraceSpanView = z.object({
  id: Uuid,
  name: z.string(),
  start_time: nullableTime,
  end_time: nullableTime,
  type: z.string().nullable(),
  parent_id: Uuid.nullable(),
  duration_ms: z.number().int().nullable(),
  error: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()).nullable(),
  score: z.number().int().nullable(),
  data: z.object({
    input: z.string().nullable(),
    output: z.string().nullable(),
    total_tokens: z.number().int().nullable(),
    model: z.string().nullable(),
    tags: z.array(z.string()),
  }),
  metrics: z.array(MetricView.omit({ span_id: true })),
});
export type TraceSpanView = z.infer<typeof TraceSpanView>;

export interface TraceTreeNode extends TraceSpanView {
  children: TraceTreeNode[];
}

export const TraceTreeNode: z.ZodType<TraceTreeNode> = TraceSpanView.extend({
  get children() {
    return z.array(TraceTreeNode);
  },
});

export const TraceDetail = TraceSummary.extend({
  spans: z.array(TraceSpanView),
  /** Only with `?tree=true`: the spans nested under their parents (orphans become roots). */
  tree: z.array(TraceTreeNode).optional(),
  /** Present (true) when the spans stopped at the server's response byte budget (our extension). */
  truncated: z.boolean().optional(),
});
export type TraceDetail = z.infer<typeof TraceDetail>;

export const TraceDetailQuery = z.object({
  tree: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

export const TraceListQuery = PageQuery.extend({
  name: z.string().max(Limits.nameMaxChars).optional(),
});

/**
 * A dataset entry: text fields (JSON-encoded when the value was not a string). The SDKs require
 * `input` and `output` to be strings, so an entry without one reads as ''.
 */
export const DatasetEntryView = z.object({
  id: Uuid,
  input: z.string(),
  output: z.string(),
  expected: z.string().nullable(),
  comment: z.string().nullable(),
  // Extensions.
  dataset_id: Uuid,
  span_id: Uuid.nullable(),
  created_at: ZonedTimestamp,
});
export type DatasetEntryView = z.infer<typeof DatasetEntryView>;
