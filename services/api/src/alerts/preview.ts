import type { ClickHouseClient } from '@clickhouse/client';
import {
  type AlertFilter,
  type AlertPreviewRequest,
  type AlertPreviewResponse,
  AppError,
  ErrorCodes,
  evaluateSeries,
  type SpanSignal,
  type TimedValue,
} from '@tracehouse/shared';
import { clickHouseFromIso, toClickHouseAppError } from '@tracehouse/shared/node';

/** Values a preview may read; beyond, the range must be narrowed. */
export const previewMaxValues = 200_000;
const maxPoints = 1_000;
const maxRangeMs = 31 * 24 * 3_600_000;

/** Per signal, the value of a stored span: a closed list, so no request text reaches SQL. */
const signalSql: Record<SpanSignal, string> = {
  'span.duration_ms': '(toUnixTimestamp64Micro(end_time) - toUnixTimestamp64Micro(start_time)) / 1000',
  'span.error_rate': "if(status = 'error' OR error IS NOT NULL, 1, 0)",
  'span.count': '1',
  'span.prompt_tokens': 'prompt_tokens',
  'span.completion_tokens': 'completion_tokens',
  'span.total_tokens': 'total_tokens',
  'span.cost': 'cost',
};

const invalid = (field: string, message: string) =>
  new AppError(ErrorCodes.VALIDATION, `${field}: ${message}`, { details: { field } });

/** Conditions on `spans` for a rule's filter; every value a parameter. */
function spanConditions(filter: AlertFilter, params: Record<string, unknown>): string[] {
  const where = ["name != ''", 'deleted = 0'];
  const add = (condition: string, values: Record<string, unknown>) => {
    where.push(condition);
    Object.assign(params, values);
  };
  if (filter.name !== undefined) add('name = {fname:String}', { fname: filter.name });
  if (filter.type !== undefined) add('type = {ftype:String}', { ftype: filter.type });
  if (filter.status !== undefined) add('status = {fstatus:String}', { fstatus: filter.status });
  for (const [i, [k, v]] of Object.entries(filter.tags ?? {}).entries())
    add(`tags[{tk${i}:String}] = {tv${i}:String}`, { [`tk${i}`]: k, [`tv${i}`]: v });
  return where;
}

/** The rule's values by event time in [from, to), as the alerter would have seen them. */
async function storedValues(
  clickhouse: ClickHouseClient,
  projectId: string,
  req: AlertPreviewRequest,
  fromMs: number,
  toMs: number,
): Promise<TimedValue[]> {
  const { rule } = req;
  const params: Record<string, unknown> = {
    p: projectId,
    from: clickHouseFromIso(new Date(fromMs).toISOString()),
    to: clickHouseFromIso(new Date(toMs).toISOString()),
    limit: previewMaxValues + 1,
  };
  const spanWhere = spanConditions(rule.filter, params).join(' AND ');
  let query: string;
  if (rule.source.type === 'metric') {
    params.dim = rule.source.dimension;
    query = `SELECT toUnixTimestamp64Milli(created_at) AS t, value AS v, toString(trace_id) AS trace
             FROM span_metrics FINAL
             WHERE project_id = {p:UUID} AND deleted = 0 AND dimension = {dim:String}
               AND created_at >= {from:DateTime64(6, 'UTC')} AND created_at < {to:DateTime64(6, 'UTC')}
               AND (trace_id, span_id) IN (SELECT trace_id, span_id FROM spans_v2 FINAL
                                           WHERE project_id = {p:UUID} AND ${spanWhere})
             ORDER BY t LIMIT {limit:UInt32}`;
  } else {
    query = `SELECT toUnixTimestamp64Milli(end_time) AS t, ${signalSql[rule.source.signal]} AS v,
                    toString(trace_id) AS trace
             FROM spans_v2 FINAL
             WHERE project_id = {p:UUID} AND ${spanWhere} AND end_time IS NOT NULL
               AND end_time >= {from:DateTime64(6, 'UTC')} AND end_time < {to:DateTime64(6, 'UTC')}
               AND v IS NOT NULL
             ORDER BY t LIMIT {limit:UInt32}`;
  }
  try {
    const rs = await clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
    const rows = await rs.json<{ t: string | number; v: number; trace: string }>();
    return rows.map((r) => ({ t: Number(r.t), v: Number(r.v), traceId: r.trace }));
  } catch (err) {
    throw toClickHouseAppError(err, 'reading values for a rule preview');
  }
}

/** `POST /v2/alerts/rules/preview`: the rule evaluated every step over stored data, exact values. */
export async function previewRule(
  clickhouse: ClickHouseClient,
  projectId: string,
  req: AlertPreviewRequest,
): Promise<AlertPreviewResponse> {
  const fromMs = Date.parse(req.from);
  const toMs = Date.parse(req.to);
  if (toMs <= fromMs) throw invalid('to', 'must be after from');
  if (toMs - fromMs > maxRangeMs) throw invalid('to', 'the range is at most 31 days');
  const stepSeconds = req.step_seconds ?? Math.max(10, Math.ceil((toMs - fromMs) / 1000 / 120));
  if ((toMs - fromMs) / (stepSeconds * 1000) > maxPoints)
    throw invalid('step_seconds', `at most ${maxPoints} points per preview; use a larger step`);
  const windowMs = req.rule.window_seconds * 1000;
  const points = await storedValues(clickhouse, projectId, req, fromMs - windowMs, toMs);
  if (points.length > previewMaxValues)
    throw invalid('from', `the range holds more than ${previewMaxValues} values; narrow it`);
  const out = evaluateSeries(points, req.rule, fromMs, toMs, stepSeconds * 1000);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    step_seconds: stepSeconds,
    series: out.series.map((p) => ({ at: iso(p.at), value: p.value })),
    transitions: out.transitions.map((t) => ({ ...t, at: iso(t.at) })),
  };
}
