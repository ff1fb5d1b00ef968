import type { MetricEvent } from '@tracehouse/shared';
import type { SpanMetricRow, SpanRowToInsert } from '@tracehouse/shared/node';
import { nextVersion } from './log-order.js';
import { applyMetricEvent } from './metric-state.js';
import type { WriterSpanEvent } from './record-events.js';
import { applySpanEvent } from './span-state.js';

/**
 * Everything stored of one trace: every span and metric row, and the version of its summary. The
 * writer that owns the trace's partition holds it complete (a new trace starts empty; a stored one is
 * loaded whole), so creates need no read, summaries are computed here, and a deleted span's metrics
 * are known without asking ClickHouse.
 */
export interface TraceState {
  projectId: string;
  traceId: string;
  spans: Map<string, SpanRowToInsert>;
  metrics: Map<string, SpanMetricRow>;
  /** Version of the stored summary row; 0 when none is stored yet. */
  summaryVersion: number;
  /** The last record the stored summary reflects (`summaryVersionAt`): '' and -1 when unknown. */
  summaryLog: string;
  summaryOffset: number;
  /** The start time the stored summary indexes the trace under; null while it has no live span. */
  indexedStart: string | null;
  /**
   * The last record applied, per `topic/partition`: a batch delivered again (a commit that failed)
   * is skipped instead of applied twice. Unknown for a loaded trace: there each row names the last
   * record applied to it (`reflects`, docs/WRITE-PATH.md §3).
   */
  applied: Map<string, bigint>;
}

/** What a batch changed in a trace, and which events went into each changed row. */
export interface TraceChanges<S> {
  spans: Map<string, S[]>;
  metrics: Map<string, S[]>;
}

export const emptyTrace = (projectId: string, traceId: string): TraceState => ({
  projectId,
  traceId,
  spans: new Map(),
  metrics: new Map(),
  summaryVersion: 0,
  summaryLog: '',
  summaryOffset: -1,
  indexedStart: null,
  applied: new Map(),
});

/** A copy whose maps the batch may change; rows are replaced, never changed, so they are shared. */
export const cloneTrace = (t: TraceState): TraceState => ({
  ...t,
  spans: new Map(t.spans),
  metrics: new Map(t.metrics),
  applied: new Map(t.applied),
});

function note<S>(changes: Map<string, S[]>, id: string, source: S | undefined): void {
  const sources = changes.get(id) ?? [];
  if (sources.length === 0) changes.set(id, sources);
  if (source !== undefined) sources.push(source);
}

/** Where a record sits in its log (`topic/partition`): rows remember the last one applied to them. */
export interface LogPosition {
  log: string;
  offset: bigint;
}

/**
 * Whether a stored row already reflects the record at `at`: a writer applied it and stored the row
 * (migration 0013). Asked of the row as the batch found it, never of one the batch changed: a record's
 * events are applied whole within a batch, several of them may change the same row.
 */
export function reflects(
  row: { applied_log?: string; applied_offset?: number | string } | undefined,
  at: LogPosition | undefined,
): boolean {
  if (!at || row?.applied_log !== at.log || row.applied_offset === undefined) return false;
  return BigInt(row.applied_offset) >= at.offset;
}

function stamp<R extends { applied_log?: string; applied_offset?: number | string }>(
  row: R,
  at?: LogPosition,
): R {
  if (at) {
    row.applied_log = at.log;
    row.applied_offset = Number(at.offset);
  }
  return row;
}

/**
 * Applies one event to the trace (in log order), recording what changed. `base` is the trace as the
 * batch found it: a row it holds that already reflects the record at `at` is left as it is, since
 * applying the record again would keep its fields but raise its version, and could tie with a later
 * write of another writer (docs/WRITE-PATH.md §3).
 */
export function applyToTrace<S>(
  trace: TraceState,
  event: WriterSpanEvent | MetricEvent,
  changes: TraceChanges<S>,
  source: S,
  at?: LogPosition,
  base?: TraceState,
): void {
  if (event.kind.startsWith('span.')) {
    const e = event as WriterSpanEvent;
    const before = trace.spans.get(e.id);
    if (reflects(base?.spans.get(e.id), at)) {
      // Only metric rows stored before the record may lack what it did to them.
      if (before?.deleted === 1) hideMetricsOf(trace, e.id, e.version, changes, at, base);
      else if (before) copyAttributesToMetrics(trace, before, e.version, changes, at, base, true);
      return;
    }
    const row = stamp(applySpanEvent(before, e), at);
    trace.spans.set(e.id, row);
    note(changes.spans, e.id, source);
    if (e.kind === 'span.delete') hideMetricsOf(trace, e.id, e.version, changes, at, base);
    else if (!before || spanAttributesDiffer(before, row))
      copyAttributesToMetrics(trace, row, e.version, changes, at, base);
    return;
  }
  const e = event as MetricEvent;
  if (reflects(base?.metrics.get(e.id), at)) return;
  const row = stamp(
    withSpanAttributes(applyMetricEvent(trace.metrics.get(e.id), e), trace.spans.get(e.span_id)),
    at,
  );
  // A metric of a deleted span is stored hidden: no metric of a deleted span survives.
  if (trace.spans.get(e.span_id)?.deleted === 1) row.deleted = 1;
  trace.metrics.set(e.id, row);
  note(changes.metrics, e.id, source);
}

const spanAttributesDiffer = (a: SpanRowToInsert, b: SpanRowToInsert) =>
  a.name !== b.name || a.start_time !== b.start_time || JSON.stringify(a.tags) !== JSON.stringify(b.tags);

/** The metric row carrying its span's name, start and tags (analytics filter and bucket by them). */
function withSpanAttributes(metric: SpanMetricRow, span: SpanRowToInsert | undefined): SpanMetricRow {
  if (!span || span.name === '')
    return { ...metric, span_name: '', span_start_time: EMPTY_TIME, span_tags: {} };
  return { ...metric, span_name: span.name, span_start_time: span.start_time, span_tags: span.tags };
}

const EMPTY_TIME = '1970-01-01 00:00:00.000000';

/**
 * A span's name, start or tags changed: its live metrics are written again with them. With
 * `onlyDiffering`, only those whose copy differs (a record replayed onto rows stored before it).
 */
function copyAttributesToMetrics<S>(
  trace: TraceState,
  span: SpanRowToInsert,
  version: number,
  changes: TraceChanges<S>,
  at: LogPosition | undefined,
  base: TraceState | undefined,
  onlyDiffering = false,
) {
  if (trace.metrics.size === 0) return;
  for (const [id, metric] of trace.metrics) {
    if (metric.span_id !== span.span_id || metric.deleted === 1) continue;
    if (reflects(base?.metrics.get(id), at)) continue;
    const row = withSpanAttributes(metric, span);
    if (onlyDiffering && !metricAttributesDiffer(metric, row)) continue;
    row.version = nextVersion(Number(metric.version), version);
    trace.metrics.set(id, stamp(row, at));
    note(changes.metrics, id, undefined);
  }
}

const metricAttributesDiffer = (a: SpanMetricRow, b: SpanMetricRow) =>
  a.span_name !== b.span_name ||
  a.span_start_time !== b.span_start_time ||
  JSON.stringify(a.span_tags) !== JSON.stringify(b.span_tags);

function hideMetricsOf<S>(
  trace: TraceState,
  spanId: string,
  version: number,
  changes: TraceChanges<S>,
  at: LogPosition | undefined,
  base: TraceState | undefined,
) {
  for (const [id, metric] of trace.metrics) {
    if (metric.span_id !== spanId || metric.deleted === 1) continue;
    if (reflects(base?.metrics.get(id), at)) continue;
    trace.metrics.set(
      id,
      stamp({ ...metric, deleted: 1, version: nextVersion(Number(metric.version), version) }, at),
    );
    note(changes.metrics, id, undefined);
  }
}
