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
  /** The start time the stored summary indexes the trace under; null while it has no live span. */
  indexedStart: string | null;
  /**
   * The last record applied, per `topic/partition`: a batch delivered again (a commit that failed)
   * is skipped instead of applied twice. Unknown for a loaded trace, where replaying the rest of the
   * log onto the stored rows gives the same rows (docs/WRITE-PATH.md §3).
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

/** Applies one event to the trace (in log order), recording what changed. */
export function applyToTrace<S>(
  trace: TraceState,
  event: WriterSpanEvent | MetricEvent,
  changes: TraceChanges<S>,
  source: S,
): void {
  if (event.kind.startsWith('span.')) {
    const e = event as WriterSpanEvent;
    const before = trace.spans.get(e.id);
    const row = applySpanEvent(before, e);
    trace.spans.set(e.id, row);
    note(changes.spans, e.id, source);
    if (e.kind === 'span.delete') hideMetricsOf(trace, e.id, e.version, changes);
    else if (!before || spanAttributesDiffer(before, row))
      copyAttributesToMetrics(trace, row, e.version, changes);
    return;
  }
  const e = event as MetricEvent;
  const row = withSpanAttributes(applyMetricEvent(trace.metrics.get(e.id), e), trace.spans.get(e.span_id));
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

/** A span's name, start or tags changed: its live metrics are written again with them. */
function copyAttributesToMetrics<S>(
  trace: TraceState,
  span: SpanRowToInsert,
  version: number,
  changes: TraceChanges<S>,
) {
  if (trace.metrics.size === 0) return;
  for (const [id, metric] of trace.metrics) {
    if (metric.span_id !== span.span_id || metric.deleted === 1) continue;
    const row = withSpanAttributes(
      { ...metric, version: nextVersion(Number(metric.version), version) },
      span,
    );
    trace.metrics.set(id, row);
    note(changes.metrics, id, undefined);
  }
}

function hideMetricsOf<S>(trace: TraceState, spanId: string, version: number, changes: TraceChanges<S>) {
  for (const [id, metric] of trace.metrics) {
    if (metric.span_id !== spanId || metric.deleted === 1) continue;
    trace.metrics.set(id, { ...metric, deleted: 1, version: nextVersion(Number(metric.version), version) });
    note(changes.metrics, id, undefined);
  }
}

/**
 * Rough bytes a trace holds on the V8 heap, for the cache's bound: its texts, plus what a row costs
 * besides them. Measured with traces of 20 spans (4 tags, 2 metadata keys, ids and times as decoded
 * from events): about 1,020 bytes per span row and 1,100 per metric row. (The estimate was 600 and
 * 300, so `WRITER_CACHE_MAX_BYTES` let twice the memory go to small spans, and the garbage collector
 * paid for it.)
 */
export function traceBytes(t: TraceState): number {
  let bytes = 256;
  for (const s of t.spans.values())
    bytes += 1_000 + (s.input?.length ?? 0) + (s.output?.length ?? 0) + (s.error?.length ?? 0);
  return bytes + t.metrics.size * 1_100;
}
