import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { z } from 'zod';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { insertJsonEachRow, type StoredLines, type StoredText, storedTextColumns } from '../json-each-row.js';
import { definedParams, newestVersion, uuidKeyParams, uuidKeysIn } from './key-sets.js';

/**
 * The last Kafka record (`topic/partition`, offset) a writer applied to a row (migration 0013): a writer
 * loading the row skips records at or before it. Absent or -1: not known (rows of earlier versions).
 */
export const appliedPosition = {
  applied_log: z.string().optional(),
  applied_offset: z.union([z.number(), z.string()]).optional(),
};

/**
 * One row of `spans_v2` (`spans` before migration 0015): a complete span state at `version` (see
 * docs/WRITE-PATH.md).
 */
export const SpanRow = z.object({
  project_id: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  parent_id: z.string().nullable(),
  name: z.string(),
  type: z.string(),
  start_time: z.string(),
  end_time: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  input: z.string().nullable(),
  output: z.string().nullable(),
  meta: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  model: z.string(),
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  cost: z.number().nullable(),
  score: z.number().nullable(),
  feedback_score: z.number().nullable(),
  feedback_comment: z.string().nullable(),
  received_at: z.string(),
  version: z.union([z.number(), z.string()]),
  deleted: z.number(),
  ...appliedPosition,
});
export type SpanRow = z.infer<typeof SpanRow>;

/** A span row as the writer inserts it: input and output may be tokens (docs/WRITE-PATH.md §1). */
export type SpanRowToInsert = Omit<SpanRow, 'input' | 'output'> & {
  input: StoredText | null;
  output: StoredText | null;
};

export async function insertSpans(
  client: ClickHouseClient,
  rows: SpanRowToInsert[],
  stored?: StoredLines,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    await insertJsonEachRow(client, 'spans_v2', rows, storedTextColumns, stored);
  } catch (err) {
    throw toClickHouseAppError(err, 'inserting spans', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

export interface SpanLocation {
  traceId: string;
  name: string;
  parentId: string | null;
}

/** Where a stored span lives; undefined when it does not exist, was deleted, or is only a pending patch. */
export async function findSpanLocation(
  client: ClickHouseClient,
  projectId: string,
  spanId: string,
): Promise<SpanLocation | undefined> {
  try {
    const rs = await client.query({
      query: `SELECT trace_id, name, parent_id
              FROM spans_v2 FINAL
              WHERE project_id = {project:UUID} AND span_id = {span:UUID} AND name != ''
              LIMIT 1`,
      query_params: { project: projectId, span: spanId },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ trace_id: string; name: string; parent_id: string | null }>();
    return row ? { traceId: row.trace_id, name: row.name, parentId: row.parent_id } : undefined;
  } catch (err) {
    throw toClickHouseAppError(err, 'looking up a span');
  }
}

/**
 * Every stored row of these traces' spans at its newest version, deleted ones and pending patches
 * included (no FINAL, which would drop the deleted): a writer taking over a trace loads it whole.
 */
export async function loadTraceSpanRows(
  client: ClickHouseClient,
  traces: { projectId: string; traceId: string }[],
  settings: ClickHouseSettings = {},
): Promise<SpanRow[]> {
  if (traces.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT * FROM spans_v2 WHERE ${uuidKeysIn(['project_id', 'trace_id'])}
              ORDER BY version DESC LIMIT 1 BY project_id, trace_id, span_id`,
      query_params: uuidKeyParams(
        traces.map((k) => [k.projectId, k.traceId]),
        2,
      ),
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    });
    return (await rs.json<unknown>()).map((r) => SpanRow.parse(r));
  } catch (err) {
    throw toClickHouseAppError(err, 'loading the spans of traces');
  }
}

/** Current rows of the given spans (the alerter joins metrics to spans it no longer holds). */
export async function loadSpanRows(
  client: ClickHouseClient,
  keys: { projectId: string; traceId: string; spanId: string }[],
): Promise<SpanRow[]> {
  if (keys.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT * FROM spans_v2 FINAL WHERE ${uuidKeysIn(['project_id', 'trace_id', 'span_id'])}`,
      query_params: uuidKeyParams(
        keys.map((k) => [k.projectId, k.traceId, k.spanId]),
        3,
      ),
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map((r) => SpanRow.parse(r));
  } catch (err) {
    throw toClickHouseAppError(err, 'loading spans');
  }
}

/** A stored span's input and output (JSON text), for saving it to a dataset. */
export async function findSpanContent(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  spanId: string,
): Promise<{ input: string | null; output: string | null } | undefined> {
  try {
    const rs = await client.query({
      query: `SELECT input, output FROM spans_v2 FINAL
              WHERE project_id = {project:UUID} AND trace_id = {trace:UUID} AND span_id = {span:UUID} AND name != ''
              LIMIT 1`,
      query_params: definedParams({ project: projectId, trace: traceId, span: spanId }),
      format: 'JSONEachRow',
    });
    return (await rs.json<{ input: string | null; output: string | null }>())[0];
  } catch (err) {
    throw toClickHouseAppError(err, 'reading a span');
  }
}

/** A live span (pending patches excluded); within its trace when the trace is known (primary key). */
export async function readSpan(
  client: ClickHouseClient,
  projectId: string,
  spanId: string,
  traceId?: string,
): Promise<SpanRow | undefined> {
  try {
    const rs = await client.query({
      query: `SELECT * FROM spans_v2 FINAL
              WHERE project_id = {project:UUID} AND span_id = {span:UUID} AND name != ''
                ${traceId === undefined ? '' : 'AND trace_id = {trace:UUID}'}
              LIMIT 1`,
      query_params: definedParams({ project: projectId, span: spanId, trace: traceId }),
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<unknown>();
    return row === undefined ? undefined : SpanRow.parse(row);
  } catch (err) {
    throw toClickHouseAppError(err, 'reading a span');
  }
}

/** The live spans of one trace, earliest first (bounded: a runaway trace must not exhaust memory). */
export async function readTraceSpans(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  limit = 10_000,
): Promise<SpanRow[]> {
  try {
    const rs = await client.query({
      query: `SELECT * FROM spans_v2 FINAL
              WHERE project_id = {project:UUID} AND trace_id = {trace:UUID} AND name != ''
              ORDER BY start_time, span_id LIMIT {limit:UInt32}`,
      query_params: { project: projectId, trace: traceId, limit },
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map((r) => SpanRow.parse(r));
  } catch (err) {
    throw toClickHouseAppError(err, 'reading a trace');
  }
}

/** Newest stored version of a trace's spans, or of one span (see `newestVersion`). */
export const newestSpanVersion = (
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  spanId?: string,
) => newestVersion(client, 'spans_v2', { project_id: projectId, trace_id: traceId, span_id: spanId });
