import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { definedParams, uuidKeyParams, uuidKeysIn } from './key-sets.js';

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

// The root is the span without a parent (earliest if several); a trace whose root has not arrived yet
// takes its earliest span. `(isNotNull(parent_id), start_time)` orders roots first, then by time.
const refreshSql = `
INSERT INTO traces (project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status,
                    span_count, error_count, total_tokens, total_cost, input, output, tags, received_at,
                    spans_version, version, deleted)
SELECT
  project_id,
  trace_id,
  argMin(span_id, (isNotNull(parent_id), start_time)),
  argMin(name, (isNotNull(parent_id), start_time)),
  min(start_time),
  maxOrNull(end_time) AS last_end,
  if(isNull(last_end), NULL, (toUnixTimestamp64Micro(last_end) - toUnixTimestamp64Micro(min(start_time))) / 1000),
  multiIf(countIf(status = 'error') > 0, 'error', countIf(end_time IS NULL) = 0, 'ok', 'unset'),
  count(),
  countIf(status = 'error'),
  sum(total_tokens),
  sum(ifNull(cost, 0)),
  argMin(input, (isNotNull(parent_id), start_time)),
  argMin(output, (isNotNull(parent_id), start_time)),
  mapUpdate(
    arrayFold((acc, m) -> mapUpdate(acc, m), groupArray(tags), CAST(map(), 'Map(String, String)')),
    argMin(tags, (isNotNull(parent_id), start_time))
  ),
  max(received_at),
  max(version),
  toUnixTimestamp64Micro(now64(6)),
  0
FROM spans FINAL
WHERE ${tracesIn} AND name != ''
GROUP BY project_id, trace_id`;

/**
 * Recomputes the summaries of these traces from their live spans (idempotent: the same spans give the
 * same summary at a newer version). Traces in `maybeEmpty` whose spans are all gone get a tombstone.
 */
export async function refreshTraceSummaries(
  client: ClickHouseClient,
  traces: TraceRef[],
  maybeEmpty: TraceRef[] = [],
): Promise<void> {
  try {
    for (let i = 0; i < traces.length; i += 2_000) {
      await client.command({
        query: refreshSql,
        query_params: keysParam(traces.slice(i, i + 2_000)),
      });
    }
    if (maybeEmpty.length === 0) return;
    const rs = await client.query({
      query: `SELECT DISTINCT toString(project_id) AS p, toString(trace_id) AS t FROM spans FINAL
              WHERE ${tracesIn} AND name != ''`,
      query_params: keysParam(maybeEmpty),
      format: 'JSONEachRow',
    });
    const live = new Set((await rs.json<{ p: string; t: string }>()).map((r) => `${r.p}/${r.t}`));
    const empty = maybeEmpty.filter((t) => !live.has(`${t.projectId}/${t.traceId}`));
    if (empty.length === 0) return;
    const version = Date.now() * 1000;
    await client.insert({
      table: 'traces',
      values: empty.map((t) => ({
        project_id: t.projectId,
        trace_id: t.traceId,
        name: '',
        start_time: 0,
        status: 'unset',
        span_count: 0,
        error_count: 0,
        total_tokens: 0,
        total_cost: 0,
        tags: {},
        received_at: 0,
        // The tombstone reflects every span write up to now (the deletes that emptied the trace).
        spans_version: version,
        version,
        deleted: 1,
      })),
      format: 'JSONEachRow',
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'refreshing trace summaries', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

/** A trace summary as reads return it (times still in ClickHouse text). */
export const TraceRow = z.object({
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
  input: z.string().nullable(),
  output: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
});
export type TraceRow = z.infer<typeof TraceRow>;

export const traceColumns = `trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count,
  error_count, total_tokens, total_cost, input, output, tags`;

/** Opper's `GET /v2/traces`: newest first, optionally by root span name, with the total. */
export async function listTraces(
  client: ClickHouseClient,
  projectId: string,
  page: { limit: number; offset: number; name?: string },
): Promise<{ total: number; rows: TraceRow[] }> {
  const where = `project_id = {project:UUID}${page.name === undefined ? '' : ' AND name = {name:String}'}`;
  const params = definedParams({
    project: projectId,
    name: page.name,
    limit: page.limit,
    offset: page.offset,
  });
  try {
    const [rows, total] = await Promise.all([
      client
        .query({
          query: `SELECT ${traceColumns} FROM traces FINAL WHERE ${where}
                  ORDER BY start_time DESC, trace_id DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<unknown>()),
      client
        .query({
          query: `SELECT count() AS n FROM traces FINAL WHERE ${where}`,
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
      query: `SELECT toString(trace_id) AS t, argMax(spans_version, version) AS v FROM traces
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
