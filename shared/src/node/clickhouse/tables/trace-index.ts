import { z } from 'zod';

/**
 * `trace_index`: every live trace's list columns (start, name, status, duration, counts, tags, the
 * first characters of the root's input and output) sorted by start time (migrations 0011, 0012).
 * Nothing writes it directly: each insert into `trace_summaries` indexes its traces through a
 * materialized view, in the same INSERT, so the two never disagree for long.
 *
 * ClickHouse reads it in order and stops at the page's end (also under FINAL). A search page is read
 * from it alone; Opper's trace list, which shows whole inputs and outputs, picks its page here and
 * fetches just those summaries by key: see `pickedByIndex`.
 */

/**
 * Settings for reading the index in order: blocks of 4,096 rows instead of 65,536, so a page of 50
 * newest traces stops after a few granules (500,000 traces under FINAL: 69 → 32 ms p50; 1,024 rows
 * gave 29 ms; 4,096 keeps blocks larger for scans that cannot stop early, such as a sort by duration).
 * FINAL does not split intersecting ranges into layers, which it does to merge them in parallel: a
 * page reads a few granules from the newest end, and the split cost more than it saved (500,000
 * traces in three parts, a page with two tags, in SQL: 32 against 40 ms p50, 39–40 against 51 p95).
 */
export const traceIndexReadSettings = {
  max_block_size: '4096',
  split_intersecting_parts_ranges_into_layers_final: '0',
};

/**
 * The condition that keeps the summaries a page of `trace_index` picked: the rows matching `where`,
 * in `order`, at most `limit` (SQL text, parameters included). The pair must match: a summary whose
 * start has moved since (or an index row left by a writer of the previous version) is not shown at a
 * start it no longer has.
 */
export const pickedByIndex = (page: { where: string; order: string; limit: string }) =>
  `(trace_id, start_time) IN (SELECT trace_id, start_time FROM trace_index FINAL WHERE ${page.where}
                              ${page.order} LIMIT ${page.limit})`;

/**
 * What a trace list shows, from `trace_index` alone (migration 0012): the summary's columns with the
 * root's input and output cut to `tracePreviewChars` characters, and `complete` (see `TraceListRow`).
 */
export const traceListColumns = `trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count,
  error_count, total_tokens, total_cost, input_preview, input_truncated, output_preview, output_truncated, tags,
  complete`;

/** How many characters of the root's input and output the index keeps (migration 0012 cuts them). */
export const tracePreviewChars = 256;

/** The columns a trace summary and its index row share (times still in ClickHouse text). */
export const TraceSummaryFields = z.object({
  trace_id: z.string(),
  root_span_id: z.string().nullable(),
  name: z.string(),
  start_time: z.string(),
  end_time: z.string().nullable(),
  duration_ms: z.number().nullable(),
  status: z.string(),
  span_count: z.number(),
  error_count: z.number(),
  total_tokens: z.union([z.number(), z.string()]),
  total_cost: z.number(),
  tags: z.record(z.string(), z.string()),
});

/** A row of `trace_index` as a list reads it: previews of the root's input and output. */
export const TraceListRow = TraceSummaryFields.extend({
  input_preview: z.string().nullable(),
  input_truncated: z.number(),
  output_preview: z.string().nullable(),
  output_truncated: z.number(),
  /**
   * 1: the row stands on its own. 0: left by an earlier version, without the list columns, or at a
   * start the trace may have left (a writer older than 0011 could not name the start it replaced);
   * such a row is shown only as its summary, and only if the summary still starts there.
   */
  complete: z.number(),
});
export type TraceListRow = z.infer<typeof TraceListRow>;
