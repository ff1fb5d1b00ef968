import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { z } from 'zod';
import type { MetricResponse } from '../../../api/opper-metrics.js';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { insertJsonEachRow, type StoredLines } from '../json-each-row.js';
import { newestVersion, uuidKeyParams, uuidKeysIn } from './key-sets.js';
import { appliedPosition } from './spans.js';

/** One row of `span_metrics`: a complete metric state at `version`. */
export const SpanMetricRow = z.object({
  project_id: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  metric_id: z.string(),
  dimension: z.string(),
  value: z.number(),
  comment: z.string().nullable(),
  created_at: z.string(),
  received_at: z.string(),
  version: z.union([z.number(), z.string()]),
  deleted: z.number(),
  /** The span's name, start and tags, copied by the writer so analytics need no join (migration 0006). */
  span_name: z.string().optional(),
  span_start_time: z.string().optional(),
  span_tags: z.record(z.string(), z.string()).optional(),
  ...appliedPosition,
});
export type SpanMetricRow = z.infer<typeof SpanMetricRow>;

/**
 * A metric row as the writer inserts it: when the row moves the metric to another dimension or span
 * start, it names the key it had, so `metric_points` deletes the point there (migration 0014). Never
 * read back (the schema above drops it), so a row the writer holds never carries a stale one.
 */
export type SpanMetricRowToInsert = SpanMetricRow & {
  replaced_dimension?: string;
  replaced_span_start_time?: string;
  /** Keys the metric had after a record since the row before, other than both (migration 0018). */
  passed_points?: [dimension: string, spanStartTime: string][];
};

export async function insertSpanMetrics(
  client: ClickHouseClient,
  rows: SpanMetricRowToInsert[],
  stored?: StoredLines,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    // Into a reused body, as spans are: the client's own encoding made a string and a chunk per row.
    await insertJsonEachRow(client, 'span_metrics', rows, [], stored);
  } catch (err) {
    throw toClickHouseAppError(err, 'inserting metrics', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

/** A stored metric in the Opper shape. */
export type StoredMetric = MetricResponse;

/** A live metric of a span in the Opper shape; undefined when unknown or deleted. */
export async function findSpanMetric(
  client: ClickHouseClient,
  projectId: string,
  spanId: string,
  metricId: string,
): Promise<StoredMetric | undefined> {
  try {
    const rs = await client.query({
      query: `SELECT metric_id AS id, span_id, dimension, value, comment,
                     formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ') AS created_at
              FROM span_metrics FINAL
              WHERE project_id = {project:UUID} AND span_id = {span:UUID} AND metric_id = {metric:UUID}
                AND dimension != ''
              LIMIT 1`,
      query_params: { project: projectId, span: spanId, metric: metricId },
      format: 'JSONEachRow',
    });
    return (await rs.json<StoredMetric>())[0];
  } catch (err) {
    throw toClickHouseAppError(err, 'reading a metric');
  }
}

/** Every stored metric row of these traces at its newest version, deleted ones included (no FINAL). */
export async function loadTraceMetricRows(
  client: ClickHouseClient,
  traces: { projectId: string; traceId: string }[],
  settings: ClickHouseSettings = {},
): Promise<SpanMetricRow[]> {
  if (traces.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT * FROM span_metrics WHERE ${uuidKeysIn(['project_id', 'trace_id'])}
              ORDER BY version DESC LIMIT 1 BY project_id, trace_id, metric_id`,
      query_params: uuidKeyParams(
        traces.map((k) => [k.projectId, k.traceId]),
        2,
      ),
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    });
    return (await rs.json<unknown>()).map((r) => SpanMetricRow.parse(r));
  } catch (err) {
    throw toClickHouseAppError(err, 'loading the metrics of traces');
  }
}

const metricViewColumns = `toString(metric_id) AS id, toString(span_id) AS span_id_text, dimension, value, comment,
  formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ') AS created_text`;

interface MetricViewRow {
  id: string;
  span_id_text: string;
  dimension: string;
  value: number;
  comment: string | null;
  created_text: string;
}

const toStoredMetric = (r: MetricViewRow): StoredMetric => ({
  id: r.id,
  span_id: r.span_id_text,
  dimension: r.dimension,
  value: r.value,
  comment: r.comment,
  created_at: r.created_text,
});

/** A span's live metrics, oldest first, with the total (Opper's list shape). */
export async function listSpanMetrics(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  spanId: string,
  page: { limit: number; offset: number },
): Promise<{ total: number; metrics: StoredMetric[] }> {
  const where = `project_id = {project:UUID} AND trace_id = {trace:UUID} AND span_id = {span:UUID} AND dimension != ''`;
  const params = { project: projectId, trace: traceId, span: spanId, ...page };
  try {
    const [rows, total] = await Promise.all([
      client
        .query({
          query: `SELECT ${metricViewColumns} FROM span_metrics FINAL WHERE ${where}
                  ORDER BY created_at, metric_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<MetricViewRow>()),
      client
        .query({
          query: `SELECT count() AS n FROM span_metrics FINAL WHERE ${where}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<{ n: string | number }>()),
    ]);
    return { total: Number(total[0]?.n ?? 0), metrics: rows.map(toStoredMetric) };
  } catch (err) {
    throw toClickHouseAppError(err, 'listing metrics');
  }
}

/**
 * Every live metric of a trace (bounded), oldest first, and the newest version among them (0 when
 * none): a read that must reflect a known write checks it on the rows it got.
 *
 * The newest row of each metric is picked by `LIMIT 1 BY`, as `FINAL` would (rows of one key and
 * version are the same row written twice), then the deleted and the pending are dropped. For one
 * trace's few rows that costs the engine less than `FINAL`'s merging steps: get trace through the API
 * on 10 M spans took 29 ms p50 against 33–34 with `FINAL` (docs/BENCHMARKS.md, 5 December, midday).
 * The spans of a trace stay under `FINAL`, which was the faster of the two there.
 */
export async function readTraceMetrics(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  limit = 100_000,
): Promise<{ metrics: StoredMetric[]; newestVersion: number }> {
  try {
    const rs = await client.query({
      query: `SELECT ${metricViewColumns}, version FROM (
                SELECT span_id, metric_id, dimension, value, comment, created_at, version, deleted
                FROM span_metrics WHERE project_id = {project:UUID} AND trace_id = {trace:UUID}
                ORDER BY version DESC LIMIT 1 BY span_id, metric_id)
              WHERE deleted = 0 AND dimension != ''
              ORDER BY created_at, metric_id LIMIT {limit:UInt32}`,
      query_params: { project: projectId, trace: traceId, limit },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<MetricViewRow & { version: string | number }>();
    return {
      metrics: rows.map(toStoredMetric),
      newestVersion: rows.reduce((newest, r) => Math.max(newest, Number(r.version)), 0),
    };
  } catch (err) {
    throw toClickHouseAppError(err, 'reading the metrics of a trace');
  }
}

/** Newest stored version of a trace's metrics, or of one span's (see `newestVersion`). */
export const newestMetricVersion = (
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  spanId?: string,
) => newestVersion(client, 'span_metrics', { project_id: projectId, trace_id: traceId, span_id: spanId });
