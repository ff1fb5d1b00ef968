import type { MetricEvent, SpanEvent } from '@tracehouse/shared';
import type { SpanMetricRow, SpanRow } from '@tracehouse/shared/node';
import { nextVersion } from './log-order.js';
import { applyMetricEvent } from './metric-state.js';
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
  spans: Map<string, SpanRow>;
  metrics: Map<string, SpanMetricRow>;
  /** Version of the stored summary row; 0 when none is stored yet. */
  summaryVersion: number;
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
  event: SpanEvent | MetricEvent,
  changes: TraceChanges<S>,
  source: S,
): void {
  if (event.kind.startsWith('span.')) {
    const e = event as SpanEvent;
    const row = applySpanEvent(trace.spans.get(e.id), e);
    trace.spans.set(e.id, row);
    note(changes.spans, e.id, source);
    if (e.kind === 'span.delete') hideMetricsOf(trace, e.id, e.version, changes);
    return;
  }
  const e = event as MetricEvent;
  const row = applyMetricEvent(trace.metrics.get(e.id), e);
  // A metric of a deleted span is stored hidden: no metric of a deleted span survives.
  if (trace.spans.get(e.span_id)?.deleted === 1) row.deleted = 1;
  trace.metrics.set(e.id, row);
  note(changes.metrics, e.id, source);
}

function hideMetricsOf<S>(trace: TraceState, spanId: string, version: number, changes: TraceChanges<S>) {
  for (const [id, metric] of trace.metrics) {
    if (metric.span_id !== spanId || metric.deleted === 1) continue;
    trace.metrics.set(id, { ...metric, deleted: 1, version: nextVersion(Number(metric.version), version) });
    note(changes.metrics, id, undefined);
  }
}

/** Rough bytes a trace holds in memory, for the cache's bound. */
export function traceBytes(t: TraceState): number {
  let bytes = 256;
  for (const s of t.spans.values())
    bytes += 600 + (s.input?.length ?? 0) + (s.output?.length ?? 0) + (s.error?.length ?? 0);
  return bytes + t.metrics.size * 300;
}
