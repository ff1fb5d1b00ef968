import type { SpanRowToInsert, TraceSummaryRow } from '@tracehouse/shared/node';
import { summaryVersionAt } from './log-order.js';
import type { LogPosition, TraceState } from './trace-state.js';

/** Microseconds since the epoch of ClickHouse DateTime64(6) text ('YYYY-MM-DD hh:mm:ss.ffffff'). */
export function chTimeMicros(text: string): number {
  const seconds = Date.parse(`${text.slice(0, 10)}T${text.slice(11, 19)}Z`) / 1000;
  return seconds * 1_000_000 + Number(text.slice(20, 26).padEnd(6, '0'));
}

/** Roots first (no parent), then the earliest start; the span id breaks ties so every writer agrees. */
function rootOrder(a: SpanRowToInsert, b: SpanRowToInsert): number {
  const ap = a.parent_id === null ? 0 : 1;
  const bp = b.parent_id === null ? 0 : 1;
  if (ap !== bp) return ap - bp;
  if (a.start_time !== b.start_time) return a.start_time < b.start_time ? -1 : 1;
  return a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0;
}

/**
 * The trace's summary row from its complete state, which reflects its log up to `at`. Live spans are
 * created (named) and not deleted; a trace without any is stored as a tombstone, which also tells a
 * later owner the trace exists. `starts`: the starts the trace had since its previous summary (after
 * each record), whose index rows this one deletes (migration 0017).
 */
export function summarizeTrace(
  trace: TraceState,
  at: LogPosition,
  starts: Iterable<string> = [],
): TraceSummaryRow {
  let root: SpanRowToInsert | undefined;
  let firstStart: string | undefined;
  let lastEnd: string | null = null;
  let spans = 0;
  let errors = 0;
  let open = 0;
  let tokens = 0;
  let cost = 0;
  let received = '1970-01-01 00:00:00.000000';
  let newest = 0;
  const tags: Record<string, string> = {};
  for (const s of trace.spans.values()) {
    newest = Math.max(newest, Number(s.version));
    if (s.deleted === 1 || s.name === '') continue;
    spans++;
    if (root === undefined || rootOrder(s, root) < 0) root = s;
    if (firstStart === undefined || s.start_time < firstStart) firstStart = s.start_time;
    if (s.end_time === null) open++;
    else if (lastEnd === null || s.end_time > lastEnd) lastEnd = s.end_time;
    if (s.status === 'error') errors++;
    tokens += s.total_tokens;
    cost += s.cost ?? 0;
    if (s.received_at > received) received = s.received_at;
    Object.assign(tags, s.tags);
  }
  const version = summaryVersionAt(
    { version: trace.summaryVersion, log: trace.summaryLog, offset: trace.summaryOffset },
    at,
  );
  const passed = [...starts].filter((s) => s !== trace.indexedStart && s !== firstStart);
  const base = {
    project_id: trace.projectId,
    trace_id: trace.traceId,
    spans_version: newest,
    version,
    passed_start_times: passed,
    applied_log: at.log,
    applied_offset: Number(at.offset),
  };
  // The index row under the old start is deleted when the start moves or the trace has no live span.
  const replaced = (start: string | null) =>
    trace.indexedStart !== null && trace.indexedStart !== start ? trace.indexedStart : null;
  if (root === undefined || firstStart === undefined) {
    return {
      ...base,
      replaced_start_time: replaced(null),
      root_span_id: null,
      name: '',
      start_time: '1970-01-01 00:00:00.000000',
      end_time: null,
      duration_ms: null,
      status: 'unset',
      span_count: 0,
      error_count: 0,
      total_tokens: 0,
      total_cost: 0,
      input: null,
      output: null,
      tags: {},
      received_at: received,
      deleted: 1,
    };
  }
  return {
    ...base,
    replaced_start_time: replaced(firstStart),
    root_span_id: root.span_id,
    name: root.name,
    start_time: firstStart,
    end_time: lastEnd,
    duration_ms: lastEnd === null ? null : (chTimeMicros(lastEnd) - chTimeMicros(firstStart)) / 1000,
    status: errors > 0 ? 'error' : open === 0 ? 'ok' : 'unset',
    span_count: spans,
    error_count: errors,
    total_tokens: tokens,
    total_cost: cost,
    input: root.input,
    output: root.output,
    // Union of every span's tags; the root's win on conflicts.
    tags: { ...tags, ...root.tags },
    received_at: received,
    deleted: 0,
  };
}
