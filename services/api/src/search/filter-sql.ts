import type { SearchFilter } from '@tracehouse/shared';
import type { SqlParams } from './sql-params.js';
import { chTime, type TimeWindow } from './window.js';

/** Span duration in microseconds; -1 while the span has not ended (sorts before every ended span). */
export const spanDurationMicros = `if(isNull(end_time), toInt64(-1), dateDiff('microsecond', start_time, assumeNotNull(end_time)))`;

/** Conditions on `spans_v2 FINAL` (live spans of the project in the window) for a filter. */
export function spanConditions(
  filter: SearchFilter,
  projectId: string,
  window: TimeWindow,
  p: SqlParams,
): string[] {
  const project = p.add(projectId, 'UUID');
  const where = [
    `project_id = ${project}`,
    `name != ''`,
    `start_time >= ${p.add(chTime(window.from), "DateTime64(6, 'UTC')")}`,
    `start_time < ${p.add(chTime(window.to), "DateTime64(6, 'UTC')")}`,
  ];
  where.push(...tagConditions(filter, p));
  if (filter.name !== undefined) where.push(`name = ${p.add(filter.name, 'String')}`);
  if (filter.status !== undefined) where.push(`status = ${p.add(filter.status, 'String')}`);
  if (filter.has_error !== undefined) where.push(filter.has_error ? `isNotNull(error)` : `isNull(error)`);
  if (filter.type !== undefined) where.push(`type = ${p.add(filter.type, 'String')}`);
  for (const [key, value] of Object.entries(filter.meta ?? {})) {
    // meta values are stored as JSON text, so equality on the JSON text matches the value exactly.
    where.push(`meta[${p.add(key, 'String')}] = ${p.add(JSON.stringify(value), 'String')}`);
  }
  if (filter.min_duration_ms !== undefined) {
    where.push(`${spanDurationMicros} >= ${p.add(Math.ceil(filter.min_duration_ms * 1000), 'Int64')}`);
  }
  if (filter.max_duration_ms !== undefined) {
    where.push(
      `isNotNull(end_time) AND ${spanDurationMicros} <= ${p.add(Math.floor(filter.max_duration_ms * 1000), 'Int64')}`,
    );
  }
  if (filter.trace_id !== undefined) where.push(`trace_id = ${p.add(filter.trace_id, 'UUID')}`);
  if (filter.metric !== undefined) {
    where.push(`(trace_id, span_id) IN (${metricSpans(filter.metric, project, p)})`);
  }
  return where;
}

/** A summary of a trace with live spans; `trace_index` holds only those, so it needs no such condition. */
export const liveTrace = 'span_count > 0';

/**
 * Conditions on `trace_summaries FINAL`; span-level criteria become "has a span that matches". All
 * but `liveTrace` name only columns `trace_index` has too.
 */
export function traceConditions(
  filter: SearchFilter,
  projectId: string,
  window: TimeWindow,
  p: SqlParams,
): string[] {
  const project = p.add(projectId, 'UUID');
  const where = [
    `project_id = ${project}`,
    liveTrace,
    `start_time >= ${p.add(chTime(window.from), "DateTime64(6, 'UTC')")}`,
    `start_time < ${p.add(chTime(window.to), "DateTime64(6, 'UTC')")}`,
  ];
  where.push(...tagConditions(filter, p));
  if (filter.name !== undefined) where.push(`name = ${p.add(filter.name, 'String')}`);
  if (filter.status !== undefined) where.push(`status = ${p.add(filter.status, 'String')}`);
  if (filter.min_duration_ms !== undefined) {
    where.push(`duration_ms >= ${p.add(filter.min_duration_ms, 'Float64')}`);
  }
  if (filter.max_duration_ms !== undefined) {
    where.push(`duration_ms <= ${p.add(filter.max_duration_ms, 'Float64')}`);
  }
  if (filter.trace_id !== undefined) where.push(`trace_id = ${p.add(filter.trace_id, 'UUID')}`);
  if (filter.has_error !== undefined || filter.type !== undefined || filter.meta !== undefined) {
    const spanFilter: SearchFilter = { has_error: filter.has_error, type: filter.type, meta: filter.meta };
    // A trace's spans start at or after the trace, and traces are filtered by their start: open the end.
    const spanWindow = { from: window.from, to: '2299-12-31T23:59:59.999999Z' };
    const spanWhere = spanConditions(spanFilter, projectId, spanWindow, p);
    where.push(`trace_id IN (SELECT trace_id FROM spans_v2 FINAL WHERE ${spanWhere.join(' AND ')})`);
  }
  if (filter.metric !== undefined) {
    where.push(`trace_id IN (SELECT trace_id FROM (${metricSpans(filter.metric, project, p)}))`);
  }
  return where;
}

function tagConditions(filter: SearchFilter, p: SqlParams): string[] {
  const where: string[] = [];
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    const k = p.add(key, 'String');
    where.push(`mapContains(tags, ${k}) AND tags[${k}] = ${p.add(value, 'String')}`);
  }
  for (const key of filter.tag_keys ?? []) where.push(`mapContains(tags, ${p.add(key, 'String')})`);
  return where;
}

/** `(trace_id, span_id)` of live spans with a metric of the dimension in [min, max]. */
function metricSpans(metric: NonNullable<SearchFilter['metric']>, project: string, p: SqlParams): string {
  const where = [`project_id = ${project}`, `dimension = ${p.add(metric.dimension, 'String')}`];
  if (metric.min !== undefined) where.push(`value >= ${p.add(metric.min, 'Float64')}`);
  if (metric.max !== undefined) where.push(`value <= ${p.add(metric.max, 'Float64')}`);
  return `SELECT trace_id, span_id FROM span_metrics FINAL WHERE ${where.join(' AND ')}`;
}
