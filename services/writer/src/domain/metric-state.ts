import type { MetricEvent } from '@tracehouse/shared';
import type { SpanMetricRow } from '@tracehouse/shared/node';
import { fieldClaims } from './field-claims.js';
import { toClickHouseTime } from './span-state.js';

/** A metric being merged, with the version that last set each field (as for spans). */
export interface MetricState {
  row: SpanMetricRow;
  versions: Map<string, number>;
}

const EPOCH = '1970-01-01 00:00:00.000000';

export function metricStateFromRow(row: SpanMetricRow): MetricState {
  const version = Number(row.version);
  const versions = new Map<string, number>([['deleted', version]]);
  // A stored pending update (no create yet) has no dimension; its value counts when it is not the default.
  if (row.dimension !== '') versions.set('dimension', version).set('created_at', version);
  if (row.dimension !== '' || row.value !== 0) versions.set('value', version);
  if (row.comment !== null) versions.set('comment', version);
  return { row: { ...row }, versions };
}

export function applyMetricEvent(
  state: MetricState | undefined,
  event: MetricEvent,
): { state: MetricState; changed: boolean } {
  const s = state ?? {
    row: {
      project_id: event.project_id,
      trace_id: event.trace_id,
      span_id: event.span_id,
      metric_id: event.id,
      dimension: '',
      value: 0,
      comment: null,
      created_at: EPOCH,
      received_at: EPOCH,
      version: 0,
      deleted: 0,
    },
    versions: new Map<string, number>(),
  };
  const v = event.version;
  const claims = fieldClaims(s.versions, v);
  const claim = claims.claim;
  if (event.kind === 'metric.delete') {
    if (claim('deleted')) s.row.deleted = 1;
  } else {
    if (event.kind === 'metric.upsert') {
      if (claim('deleted')) s.row.deleted = 0;
      if (claim('created_at')) s.row.created_at = toClickHouseTime(event.created_at);
    }
    const f = event.fields;
    if (f.dimension !== undefined && claim('dimension')) s.row.dimension = f.dimension;
    if (f.value !== undefined && claim('value')) s.row.value = f.value;
    if (f.comment !== undefined && claim('comment')) s.row.comment = f.comment;
  }
  const changed = claims.changed;
  if (changed) {
    s.row.version = Math.max(Number(s.row.version), v);
    s.row.received_at = toClickHouseTime(event.received_at);
  }
  return { state: s, changed };
}
