import type { MetricEvent } from '@tracehouse/shared';
import { summaryAdvances } from './log-order.js';
import type { Sourced, WriterSpanEvent } from './record-events.js';
import { isLiveSpan } from './span-state.js';
import {
  applyToTrace,
  cloneTrace,
  type LogPosition,
  reflects,
  type TraceChanges,
  type TraceState,
} from './trace-state.js';

type Source = Sourced<unknown>;

/** One trace's part of a batch: its state before and after, and what the summary needs to know. */
export interface TraceBatch {
  key: string;
  base: TraceState;
  next: TraceState;
  changes: TraceChanges<Source>;
  /**
   * The last record of the trace's log the batch went through (applied, or found reflected by the
   * stored rows): what the summary reflects, and so its version (`summaryVersionAt`).
   */
  position: LogPosition | undefined;
  /**
   * A span record the loaded rows already reflected: a writer stored them and may have stopped before
   * it stored the summary, so the summary is written even if this batch changes no span.
   */
  foundReflected: boolean;
  /** The trace's start (its live spans' earliest) as loaded and after each record, for the index. */
  starts: Set<string>;
  /** Per changed metric, its keys (dimension, span start) after each record, for `metric_points`. */
  points: Map<string, Map<string, [dimension: string, spanStartTime: string]>>;
}

function earliestStart(trace: TraceState): string | null {
  let start: string | null = null;
  for (const s of trace.spans.values())
    if (isLiveSpan(s) && (start === null || s.start_time < start)) start = s.start_time;
  return start;
}

/**
 * Applies a trace's events of one batch, in log order, to a copy of its state. The position is the
 * last record of the spans topic; a batch holding only records of the retired metrics topic (during an
 * upgrade) takes the last of those.
 */
export function applyRecords(
  key: string,
  base: TraceState,
  events: Sourced<WriterSpanEvent | MetricEvent>[],
  spansTopic: string,
): TraceBatch {
  const next = cloneTrace(base);
  const batch: TraceBatch = {
    key,
    base,
    next,
    changes: { spans: new Map(), metrics: new Map() },
    position: undefined,
    foundReflected: false,
    starts: new Set(),
    points: new Map(),
  };
  let start = earliestStart(next);
  if (start !== null) batch.starts.add(start);
  let stale = false;
  let fallback: LogPosition | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const at = { log: `${e.source.topic}/${e.source.partition}`, offset: BigInt(e.source.offset) };
    // Records are applied whole within a batch, so a record at or before the last applied one is a
    // redelivery.
    if (at.offset <= (base.applied.get(at.log) ?? -1n)) continue;
    if (e.source.topic === spansTopic) batch.position = at;
    else fallback = at;
    if (e.event.kind.startsWith('span.')) {
      const id = (e.event as WriterSpanEvent).id;
      if (reflects(base.spans.get(id), at)) batch.foundReflected = true;
      const before = next.spans.get(id);
      applyToTrace(next, e.event, batch.changes, e, at, base);
      const after = next.spans.get(id);
      // The start moves earlier with a live span, or must be looked for again when its span leaves it.
      if (isLiveSpan(after) && (start === null || after.start_time < start)) start = after.start_time;
      else if (
        isLiveSpan(before) &&
        before.start_time === start &&
        !(isLiveSpan(after) && after.start_time === start)
      )
        stale = true;
    } else applyToTrace(next, e.event, batch.changes, e, at, base);
    if (at.offset > (next.applied.get(at.log) ?? -1n)) next.applied.set(at.log, at.offset);
    const following = events[i + 1]?.source;
    const recordGoesOn =
      following !== undefined &&
      following.offset === e.source.offset &&
      following.partition === e.source.partition &&
      following.topic === e.source.topic;
    if (recordGoesOn) continue;
    if (stale) {
      start = earliestStart(next);
      stale = false;
    }
    if (start !== null) batch.starts.add(start);
    notePoints(batch);
  }
  batch.position ??= fallback;
  return batch;
}

/** At a record's end: the key of each metric changed so far (a stalled writer may have stored it). */
function notePoints(batch: TraceBatch): void {
  for (const id of batch.changes.metrics.keys()) {
    const m = batch.next.metrics.get(id);
    if (!m || m.dimension === '' || m.span_start_time === undefined) continue;
    let seen = batch.points.get(id);
    if (!seen) {
      seen = new Map();
      batch.points.set(id, seen);
    }
    seen.set(`${m.span_start_time}|${m.dimension}`, [m.dimension, m.span_start_time]);
  }
}

/**
 * Whether the batch writes the trace's summary: its spans changed, it has none yet, or the stored one
 * may lag the stored rows, and only if it would reflect records the stored one does not.
 */
export function needsSummary(t: TraceBatch): t is TraceBatch & { position: LogPosition } {
  if (t.position === undefined) return false;
  if (t.changes.spans.size === 0 && t.next.summaryVersion !== 0 && !t.foundReflected) return false;
  return summaryAdvances({ log: t.next.summaryLog, offset: t.next.summaryOffset }, t.position);
}
