import type { MetricEvent } from '@tracehouse/shared';
import type { SpanMetricRow } from '@tracehouse/shared/node';
import { nextVersion } from './log-order.js';
import { toClickHouseTime } from './span-state.js';

const EPOCH = '1970-01-01 00:00:00.000000';

/**
 * Applies one event, in log order, to a metric's row (undefined: never seen); returns the new row. A
 * new row has every column the writer sets later (its span's attributes, its log position): V8 adds a
 * property to an object copied by spread at about 1 µs each, so copies must only overwrite.
 */
export function applyMetricEvent(row: SpanMetricRow | undefined, event: MetricEvent): SpanMetricRow {
  const fresh = (): SpanMetricRow => ({
    project_id: event.project_id,
    trace_id: event.trace_id,
    span_id: event.span_id,
    metric_id: event.id,
    dimension: '',
    value: 0,
    comment: null,
    created_at: EPOCH,
    received_at: EPOCH,
    version: row?.version ?? 0,
    deleted: 0,
    span_name: '',
    span_start_time: EPOCH,
    span_tags: {},
    applied_log: '',
    applied_offset: -1,
  });
  let next: SpanMetricRow;
  if (event.kind === 'metric.delete') {
    next = row ? { ...row } : fresh();
    next.deleted = 1;
  } else {
    next = row && (event.kind === 'metric.patch' || row.deleted === 0) ? { ...row } : fresh();
    if (event.kind === 'metric.upsert') next.created_at = toClickHouseTime(event.created_at);
    const f = event.fields;
    if (f.dimension !== undefined) next.dimension = f.dimension;
    if (f.value !== undefined) next.value = f.value;
    if (f.comment !== undefined) next.comment = f.comment;
  }
  next.version = nextVersion(Number(row?.version ?? 0), event.version);
  next.received_at = toClickHouseTime(event.received_at);
  return next;
}
