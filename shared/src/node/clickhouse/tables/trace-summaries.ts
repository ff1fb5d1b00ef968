import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { insertJsonEachRow, type StoredText, storedTextColumns } from '../json-each-row.js';
import { definedParams, uuidKeyParams, uuidKeysIn } from './key-sets.js';
import { pickedByIndex, TraceSummaryFields, traceIndexReadSettings } from './trace-index.js';

export interface TraceRef {
  projectId: string;
  traceId: string;
}

const keysParam = (traces: TraceRef[]) =>
  uuidKeyParams(
    traces.map((t) => [t.projectId, t.traceId]),
    2,
  );

const tracesIn = uuidKeysIn(['project_id', 'trace_id']);

/**
 * One row of `trace_summaries`: a trace's summary, computed by the writer that owns the trace. Each
 * insert also indexes the trace in `trace_index` (migration 0011's view).
 */
export interface TraceSummaryRow {
  project_id: string;
  trace_id: string;
  root_span_id: string | null;
  name: string;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  status: string;
  span_count: number;
  error_count: number;
  total_tokens: number;
  total_cost: number;
  input: StoredText | null;
  output: StoredText | null;
  tags: Record<string, string>;
  received_at: string;
  /** The newest span version the summary reflects (read fences, docs/READ-PATH.md). */
  spans_version: number;
  version: number;
  /** 1: no live span (a tombstone, which still tells a writer the trace was stored before). */
  deleted: number;
  /**
   * The start the trace was indexed under before this row, when this row moves it or is a tombstone
   * (its index row there is deleted); else null.
   */
  replaced_start_time: string | null;
  /** Starts the trace had after a record between the previous summary and this one, other than both. */
  passed_start_times: string[];
  /** The last record of the trace's log this summary reflects (`topic/partition`, offset; migration 0017). */
  applied_log: string;
  applied_offset: number;
}

export async function insertTraceSummaries(client: ClickHouseClient, rows: TraceSummaryRow[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    await insertJsonEachRow(client, 'trace_summaries', rows, storedTextColumns);
  } catch (err) {
    throw toClickHouseAppError(err, 'inserting trace summaries', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

/** A stored trace's newest summary: its version, and the start it is indexed under (null: no live span). */
export interface StoredTraceSummary {
  version: number;
  indexedStart: string | null;
  /** The last record it reflects: '' and -1 for a summary written before migration 0017. */
  log: string;
  offset: number;
}

/**
 * Which of these traces were stored before, with their newest summary. Every stored trace has a
 * summary row (a tombstone when it has no live span), written in the same batch as its spans, so a
 * trace absent here is new: its events need no read. No FINAL: the newest version per key decides.
 */
export async function storedTraceSummaries(
  client: ClickHouseClient,
  traces: TraceRef[],
): Promise<Map<string, StoredTraceSummary>> {
  if (traces.length === 0) return new Map();
  try {
    const rs = await client.query({
      query: `SELECT toString(project_id) AS p, toString(trace_id) AS t, max(version) AS v,
                     argMax(if(deleted = 0, toString(start_time), ''), version) AS s,
                     argMax(applied_log, version) AS l, argMax(applied_offset, version) AS o
              FROM trace_summaries WHERE ${tracesIn} GROUP BY project_id, trace_id`,
      query_params: keysParam(traces),
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{
      p: string;
      t: string;
      v: string | number;
      s: string;
      l: string;
      o: string | number;
    }>();
    return new Map(
      rows.map((r) => [
        `${r.p}/${r.t}`,
        { version: Number(r.v), indexedStart: r.s === '' ? null : r.s, log: r.l, offset: Number(r.o) },
      ]),
    );
  } catch (err) {
    throw toClickHouseAppError(err, 'probing stored traces');
  }
}

/** A trace summary as reads return it: its index row's columns, with whole input and output. */
export const TraceRow = TraceSummaryFields.extend({
  input: z.string().nullable(),
  output: z.string().nullable(),
});
export type TraceRow = z.infer<typeof TraceRow>;

export const traceColumns = `trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count,
  error_count, total_tokens, total_cost, input, output, tags`;

/** Opper's `GET /v2/traces`: newest first, optionally by root span name, with the total. */
/** How a trace list's `name` filter matches: v2 by equal name, v3 by case-insensitive substring. */
export type TraceNameMatch = 'exact' | 'contains';

export async function listTraces(
  client: ClickHouseClient,
  projectId: string,
  page: { limit: number; offset: number; name?: string; nameMatch?: TraceNameMatch },
): Promise<{ total: number; rows: TraceRow[] }> {
  const byName =
    page.name === undefined
      ? ''
      : page.nameMatch === 'contains'
        ? ' AND positionCaseInsensitiveUTF8(name, {name:String}) > 0'
        : ' AND name = {name:String}';
  const where = `project_id = {project:UUID}${byName}`;
  const params = definedParams({
    project: projectId,
    name: page.name,
    limit: page.limit,
    offset: page.offset,
  });
  const order = 'ORDER BY start_time DESC, trace_id DESC';
  try {
    const [rows, total] = await Promise.all([
      client
        .query({
          query: `SELECT ${traceColumns} FROM trace_summaries FINAL
                  WHERE project_id = {project:UUID}
                    AND ${pickedByIndex({ where, order, limit: '{limit:UInt32} OFFSET {offset:UInt32}' })}
                  ${order}`,
          query_params: params,
          format: 'JSONEachRow',
          clickhouse_settings: traceIndexReadSettings,
        })
        .then((rs) => rs.json<unknown>()),
      client
        .query({
          query: `SELECT count() AS n FROM trace_index FINAL WHERE ${where}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<{ n: string | number }>()),
    ]);
    return { total: Number(total[0]?.n ?? 0), rows: rows.map((r) => TraceRow.parse(r)) };
  } catch (err) {
    throw toClickHouseAppError(err, 'listing traces');
  }
}

/** The newest span version each trace summary reflects (absent: no summary yet). */
export async function traceSummaryVersions(
  client: ClickHouseClient,
  projectId: string,
  traceIds: string[],
): Promise<Map<string, number>> {
  if (traceIds.length === 0) return new Map();
  try {
    const rs = await client.query({
      // Not FINAL: a trace emptied by deletes has only a tombstone, and it counts as up to date.
      query: `SELECT toString(trace_id) AS t, argMax(spans_version, version) AS v FROM trace_summaries
              WHERE project_id = {project:UUID} AND trace_id IN {traces:Array(UUID)}
              GROUP BY trace_id`,
      query_params: { project: projectId, traces: traceIds },
      format: 'JSONEachRow',
    });
    return new Map((await rs.json<{ t: string; v: string | number }>()).map((r) => [r.t, Number(r.v)]));
  } catch (err) {
    throw toClickHouseAppError(err, 'reading trace summary versions');
  }
}

/** The newest summaries of these traces of a project (live ones; a trace without is absent). */
export async function traceSummariesOf(
  client: ClickHouseClient,
  projectId: string,
  traceIds: string[],
): Promise<TraceRow[]> {
  if (traceIds.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT ${traceColumns} FROM trace_summaries FINAL
              WHERE project_id = {project:UUID} AND trace_id IN {traces:Array(UUID)}`,
      query_params: { project: projectId, traces: traceIds },
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map((r) => TraceRow.parse(r));
  } catch (err) {
    throw toClickHouseAppError(err, 'reading trace summaries');
  }
}
