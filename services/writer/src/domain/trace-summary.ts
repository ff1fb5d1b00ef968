import type { SpanRowToInsert, TraceSummaryRow } from '@tracehouse/shared/node';
import { summaryVersionAt } from './log-order.js';
import { isLiveSpan } from './span-state.js';
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
    if (!isLiveSpan(s)) continue;
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
  const r = root;
  const first = firstStart;
  const live = r !== undefined && first !== undefined;
  const start = live ? first : null;
  // One literal, every field in it: spreading common fields into it, then adding the rest, cost V8
  // 26 µs a summary (each added property a new hidden class), more than the rest of the writer's
  // work on a small trace.
  return {
    project_id: trace.projectId,
    trace_id: trace.traceId,
    root_span_id: live ? r.span_id : null,
    name: live ? r.name : '',
    start_time: start ?? '1970-01-01 00:00:00.000000',
    end_time: live ? lastEnd : null,
    duration_ms: live && lastEnd !== null ? (chTimeMicros(lastEnd) - chTimeMicros(first)) / 1000 : null,
    status: !live ? 'unset' : errors > 0 ? 'error' : open === 0 ? 'ok' : 'unset',
    span_count: spans,
    error_count: errors,
    total_tokens: live ? tokens : 0,
    total_cost: live ? cost : 0,
    input: live ? r.input : null,
    output: live ? r.output : null,
    // Union of every span's tags; the root's win on conflicts.
    tags: live ? Object.assign(tags, r.tags) : {},
    received_at: received,
    spans_version: newest,
    version,
    // A trace without a live span is a tombstone, which still tells a later owner the trace exists.
    deleted: live ? 0 : 1,
    // The index row under the old start is deleted when the start moves or the trace has no live span.
    replaced_start_time:
      trace.indexedStart !== null && trace.indexedStart !== start ? trace.indexedStart : null,
    passed_start_times: passed,
    applied_log: at.log,
    applied_offset: Number(at.offset),
  };
}
