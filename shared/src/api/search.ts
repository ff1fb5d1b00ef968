import { z } from 'zod';
import { SpanStatus, Uuid } from '../contracts/common.js';
import { Limits } from '../contracts/limits.js';
import { SpanView, TraceListItem } from './opper-reads.js';
import { RequestTimestamp } from './opper-spans.js';

/**
 * Our search API (beyond Opper): one filter language for span search, trace search, export and
 * analytics. Every condition is ANDed. Without `from`, the window is the last 24 hours, so no query
 * scans all history by accident.
 */
export const SearchFilter = z
  .object({
    /** Start of the window (inclusive) on span / trace start time; default `to` - 24 h. */
    from: RequestTimestamp.optional(),
    /** End of the window (exclusive); default now. */
    to: RequestTimestamp.optional(),
    /** Every `key: value` pair must match (AND). */
    tags: z
      .record(z.string().min(1).max(Limits.tagKeyMaxChars), z.string().max(Limits.tagValueMaxChars))
      .refine((t) => Object.keys(t).length <= 32, 'at most 32 tag filters')
      .optional(),
    /** Each key must be present, whatever its value. */
    tag_keys: z.array(z.string().min(1).max(Limits.tagKeyMaxChars)).max(32).optional(),
    /** Exact name (the root span's for traces). */
    name: z.string().min(1).max(Limits.nameMaxChars).optional(),
    status: SpanStatus.optional(),
    /** Spans (or traces with at least one span) whose `error` is set / not set. */
    has_error: z.boolean().optional(),
    type: z.string().min(1).max(Limits.typeMaxChars).optional(),
    /** `meta` key equals the JSON value (`{"customer": "acme", "attempt": 2}`), all keys ANDed. */
    meta: z
      .record(z.string().min(1).max(Limits.metaKeyMaxChars), z.unknown())
      .refine((m) => Object.keys(m).length <= 32, 'at most 32 meta filters')
      .optional(),
    min_duration_ms: z.number().nonnegative().optional(),
    max_duration_ms: z.number().nonnegative().optional(),
    /** Has a metric of this dimension, optionally with its value in [min, max]. */
    metric: z
      .object({
        dimension: z.string().min(1).max(Limits.dimensionMaxChars),
        min: z.number().optional(),
        max: z.number().optional(),
      })
      .optional(),
    /** Spans of one trace only (span search). */
    trace_id: Uuid.optional(),
  })
  .strict();
export type SearchFilter = z.output<typeof SearchFilter>;

export const SearchSort = z.enum(['start_time', '-start_time', 'duration_ms', '-duration_ms']);
export type SearchSort = z.output<typeof SearchSort>;

/** `POST /v2/search/spans` and `POST /v2/search/traces`. */
export const SearchRequest = z
  .object({
    filter: SearchFilter.default({}),
    /** `-` first is descending. Default newest first. */
    sort: SearchSort.default('-start_time'),
    limit: z.number().int().min(1).max(1_000).default(100),
    /** `next_cursor` of the previous page; the filter and sort must be the same. */
    cursor: z.string().max(2_048).optional(),
  })
  .strict();
export type SearchRequest = z.output<typeof SearchRequest>;

export const searchPage = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export const SpanSearchPage = searchPage(SpanView);
export const TraceSearchPage = searchPage(TraceListItem);

/** `POST /v2/export/{spans|traces}`: everything matching, streamed (no page size). */
export const ExportRequest = z
  .object({
    filter: SearchFilter.default({}),
    format: z.enum(['jsonl', 'csv']).default('jsonl'),
    /** Stop after this many rows. */
    limit: z.number().int().min(1).max(10_000_000).optional(),
  })
  .strict();
export type ExportRequest = z.output<typeof ExportRequest>;

export const Aggregation = z.enum(['count', 'avg', 'min', 'max', 'sum', 'p50', 'p90', 'p95', 'p99']);
export type Aggregation = z.output<typeof Aggregation>;

/**
 * `POST /v2/analytics/metrics`: one metric dimension aggregated per time bucket of the span's start
 * time, over the spans the filter matches, optionally one series per span name or tag value.
 */
export const MetricAnalyticsRequest = z
  .object({
    dimension: z.string().min(1).max(Limits.dimensionMaxChars),
    filter: SearchFilter.omit({ metric: true }).default({}),
    /** Bucket width in seconds; default picks about 60 buckets over the window. */
    interval_seconds: z
      .number()
      .int()
      .min(1)
      .max(31 * 24 * 3600)
      .optional(),
    aggregations: z.array(Aggregation).min(1).default(['count', 'avg', 'min', 'max', 'p50', 'p95', 'p99']),
    group_by: z
      .union([
        z.object({ span_name: z.literal(true) }).strict(),
        z.object({ tag: z.string().min(1).max(Limits.tagKeyMaxChars) }).strict(),
      ])
      .optional(),
  })
  .strict();
export type MetricAnalyticsRequest = z.output<typeof MetricAnalyticsRequest>;

export const MetricBucket = z.object({
  start: z.string(),
  /** The span name or tag value of the series; absent without `group_by`. */
  group: z.string().nullable().optional(),
  count: z.number().int().optional(),
  avg: z.number().nullable().optional(),
  min: z.number().nullable().optional(),
  max: z.number().nullable().optional(),
  sum: z.number().nullable().optional(),
  p50: z.number().nullable().optional(),
  p90: z.number().nullable().optional(),
  p95: z.number().nullable().optional(),
  p99: z.number().nullable().optional(),
});

export const MetricAnalyticsResponse = z.object({
  dimension: z.string(),
  from: z.string(),
  to: z.string(),
  interval_seconds: z.number().int(),
  buckets: z.array(MetricBucket),
});
export type MetricAnalyticsResponse = z.infer<typeof MetricAnalyticsResponse>;
