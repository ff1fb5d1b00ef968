import type { ClickHouseClient } from '@clickhouse/client';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { uuidKeyParams, uuidKeysIn } from './key-sets.js';

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
                    version, deleted)
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
        version,
        deleted: 1,
      })),
      format: 'JSONEachRow',
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'refreshing trace summaries', ErrorCodes.CLICKHOUSE_INSERT);
  }
}
