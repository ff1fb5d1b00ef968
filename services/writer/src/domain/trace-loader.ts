import type { SpanMetricRow, SpanRowToInsert, StoredTraceSummary } from '@tracehouse/shared/node';
import type { TraceCache } from './packed-traces.js';
import { emptyTrace, type TraceState } from './trace-state.js';

export interface TraceKey {
  projectId: string;
  traceId: string;
}

/** What the writer reads, and only for traces it does not hold: see docs/WRITE-PATH.md §3. */
export interface TraceReads {
  /** Stored traces among these, with their newest summary (keyed `project/trace`). */
  storedTraces(traces: TraceKey[]): Promise<Map<string, StoredTraceSummary>>;
  /** Every stored span and metric row of these traces, at its newest version. */
  loadTraces(traces: TraceKey[]): Promise<{ spans: SpanRowToInsert[]; metrics: SpanMetricRow[] }>;
}

export const traceKeyOf = (k: TraceKey) => `${k.projectId}/${k.traceId}`;

/**
 * The current state of each trace a batch touches: the cached one (this writer wrote it and has owned
 * its partition since), else a new empty one when ClickHouse has never stored the trace, else the
 * stored rows. Only the last case reads rows: after a rebalance, a restart, or a write to a trace
 * evicted from the cache.
 */
export async function traceStates(
  keys: TraceKey[],
  cache: TraceCache,
  reads: TraceReads,
): Promise<{ states: Map<string, TraceState>; loaded: number }> {
  const states = new Map<string, TraceState>();
  const missing: TraceKey[] = [];
  for (const key of keys) {
    const cached = cache.get(traceKeyOf(key));
    if (cached) states.set(traceKeyOf(key), cached);
    else missing.push(key);
  }
  if (missing.length === 0) return { states, loaded: 0 };
  const stored = await reads.storedTraces(missing);
  const toLoad: TraceKey[] = [];
  for (const key of missing) {
    const state = emptyTrace(key.projectId, key.traceId);
    const summary = stored.get(traceKeyOf(key));
    if (summary !== undefined) {
      state.summaryVersion = summary.version;
      state.summaryLog = summary.log;
      state.summaryOffset = summary.offset;
      state.indexedStart = summary.indexedStart;
      toLoad.push(key);
    }
    states.set(traceKeyOf(key), state);
  }
  if (toLoad.length === 0) return { states, loaded: 0 };
  const { spans, metrics } = await reads.loadTraces(toLoad);
  for (const row of spans)
    states.get(traceKeyOf({ projectId: row.project_id, traceId: row.trace_id }))?.spans.set(row.span_id, row);
  for (const row of metrics)
    states
      .get(traceKeyOf({ projectId: row.project_id, traceId: row.trace_id }))
      ?.metrics.set(row.metric_id, row);
  return { states, loaded: toLoad.length };
}
