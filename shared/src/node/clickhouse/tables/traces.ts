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
// Input and output are left out: reading them for every span of a trace only to keep the root's was
// the largest cost of a writer batch (docs/BENCHMARKS.md); the root's come from the batch or a lookup.
// Aliases differ from column names, which they would otherwise shadow inside the aggregates.
const aggregateSql = `
SELECT
  toString(project_id) AS project,
  toString(trace_id) AS trace,
  toString(argMin(span_id, (isNotNull(parent_id), start_time))) AS root,
  argMin(name, (isNotNull(parent_id), start_time)) AS root_name,
  toString(min(start_time)) AS first_start,
  maxOrNull(end_time) AS last_end_time,
  if(isNull(last_end_time), NULL, toString(last_end_time)) AS last_end,
  if(isNull(last_end_time), NULL,
     (toUnixTimestamp64Micro(last_end_time) - toUnixTimestamp64Micro(min(start_time))) / 1000) AS duration,
  multiIf(countIf(status = 'error') > 0, 'error', countIf(end_time IS NULL) = 0, 'ok', 'unset') AS trace_status,
  count() AS spans,
  countIf(status = 'error') AS errors,
  sum(total_tokens) AS tokens,
  sum(ifNull(cost, 0)) AS cost_sum,
  mapUpdate(
    arrayFold((acc, m) -> mapUpdate(acc, m), groupArray(tags), CAST(map(), 'Map(String, String)')),
    argMin(tags, (isNotNull(parent_id), start_time))
  ) AS all_tags,
  toString(max(received_at)) AS received,
  max(version) AS newest
FROM spans FINAL
WHERE ${tracesIn} AND name != ''
GROUP BY project_id, trace_id`;

interface Aggregate {
  project: string;
  trace: string;
  root: string;
  root_name: string;
  first_start: string;
  last_end: string | null;
  duration: number | null;
  trace_status: string;
  spans: number | string;
  errors: number | string;
  tokens: number | string;
  cost_sum: number;
  all_tags: Record<string, string>;
  received: string;
  newest: number | string;
}

/** A root span's content the caller already has (from the batch it just wrote). */
export interface KnownRoot {
  spanId: string;
  input: string | null;
  output: string | null;
}

type Content = { input: string | null; output: string | null };

/** Summaries combine rows of one project's trace: trace ids are client-chosen, so never key by them alone. */
const keyOf = (a: Aggregate) => `${a.project}/${a.trace}`;

/**
 * The roots' input/output: from the batch when it holds the root, else from the previous summary when
 * its root is the same, else read from the root span (rare: a root that changed outside the batch).
 */
async function rootContents(
  client: ClickHouseClient,
  aggregates: Aggregate[],
  known: Map<string, KnownRoot>,
): Promise<Map<string, Content>> {
  const out = new Map<string, Content>();
  let missing: Aggregate[] = [];
  for (const a of aggregates) {
    const root = known.get(keyOf(a));
    if (root && root.spanId === a.root) out.set(keyOf(a), root);
    else missing.push(a);
  }
  if (missing.length > 0) {
    const rs = await client.query({
      query: `SELECT toString(project_id) AS p, toString(trace_id) AS t, toString(root_span_id) AS r, input, output FROM traces FINAL
              WHERE ${tracesIn}`,
      query_params: keysParam(missing.map((a) => ({ projectId: a.project, traceId: a.trace }))),
      format: 'JSONEachRow',
    });
    const previous = new Map(
      (await rs.json<{ p: string; t: string; r: string; input: string | null; output: string | null }>()).map(
        (p) => [`${p.p}/${p.t}`, p],
      ),
    );
    missing = missing.filter((a) => {
      const p = previous.get(keyOf(a));
      if (p?.r !== a.root) return true;
      out.set(keyOf(a), p);
      return false;
    });
  }
  if (missing.length > 0) {
    const rs = await client.query({
      query: `SELECT toString(project_id) AS p, toString(trace_id) AS t, input, output FROM spans FINAL
              WHERE ${uuidKeysIn(['project_id', 'trace_id', 'span_id'])}`,
      query_params: uuidKeyParams(
        missing.map((a) => [a.project, a.trace, a.root]),
        3,
      ),
      format: 'JSONEachRow',
    });
    for (const r of await rs.json<{ p: string; t: string; input: string | null; output: string | null }>())
      out.set(`${r.p}/${r.t}`, r);
  }
  return out;
}

/**
 * Recomputes the summaries of these traces from their live spans (idempotent: the same spans give the
 * same summary at a newer version). Traces in `maybeEmpty` whose spans are all gone get a tombstone.
 * `roots`: root spans the caller just wrote, keyed `project/trace`, so their content is not re-read.
 */
export async function refreshTraceSummaries(
  client: ClickHouseClient,
  traces: TraceRef[],
  maybeEmpty: TraceRef[] = [],
  roots: Map<string, KnownRoot> = new Map(),
): Promise<void> {
  try {
    for (let i = 0; i < traces.length; i += 2_000) {
      const rs = await client.query({
        query: aggregateSql,
        query_params: keysParam(traces.slice(i, i + 2_000)),
        format: 'JSONEachRow',
      });
      const aggregates = await rs.json<Aggregate>();
      if (aggregates.length === 0) continue;
      const contents = await rootContents(client, aggregates, roots);
      const version = Date.now() * 1000;
      await client.insert({
        table: 'traces',
        values: aggregates.map((a) => ({
          project_id: a.project,
          trace_id: a.trace,
          root_span_id: a.root,
          name: a.root_name,
          start_time: a.first_start,
          end_time: a.last_end,
          duration_ms: a.duration,
          status: a.trace_status,
          span_count: Number(a.spans),
          error_count: Number(a.errors),
          total_tokens: Number(a.tokens),
          total_cost: a.cost_sum,
          input: contents.get(keyOf(a))?.input ?? null,
          output: contents.get(keyOf(a))?.output ?? null,
          tags: a.all_tags,
          received_at: a.received,
          spans_version: Number(a.newest),
          version,
          deleted: 0,
        })),
        format: 'JSONEachRow',
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
