import type { SpanRowToInsert } from '@tracehouse/shared/node';
import { nextVersion } from './log-order.js';
import type { WriterSpanEvent } from './record-events.js';

const EPOCH = '1970-01-01 00:00:00.000000';

/** A span a trace shows: created (named) and not deleted. */
export const isLiveSpan = (s: SpanRowToInsert | undefined): s is SpanRowToInsert =>
  s !== undefined && s.deleted === 0 && s.name !== '';

/** ClickHouse DateTime64 text ('YYYY-MM-DD hh:mm:ss.ffffff') from a normalised ISO timestamp. */
export const toClickHouseTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 26)}`;

export function emptySpanRow(projectId: string, traceId: string, spanId: string): SpanRowToInsert {
  return {
    project_id: projectId,
    trace_id: traceId,
    span_id: spanId,
    parent_id: null,
    name: '',
    type: '',
    start_time: EPOCH,
    end_time: null,
    status: 'unset',
    error: null,
    input: null,
    output: null,
    meta: {},
    tags: {},
    model: '',
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    cost: null,
    score: null,
    feedback_score: null,
    feedback_comment: null,
    received_at: EPOCH,
    version: 0,
    deleted: 0,
    // Set when the row is stored (`stamp`); here so copies of the row only overwrite (metric-state.ts).
    applied_log: '',
    applied_offset: -1,
  };
}

const cloneSpanRow = (row: SpanRowToInsert): SpanRowToInsert => ({
  ...row,
  meta: { ...row.meta },
  tags: { ...row.tags },
});

/**
 * Applies one event, in log order, to a span's row (undefined: never seen) and returns the new row;
 * the given one is left as it was, since the cache holds it until the batch is written. A patch of a
 * span not created yet is kept as a pending row (empty name) that the create fills in. An upsert of
 * a deleted span starts it afresh: nothing deleted comes back.
 */
export function applySpanEvent(row: SpanRowToInsert | undefined, event: WriterSpanEvent): SpanRowToInsert {
  const fresh = () => emptySpanRow(event.project_id, event.trace_id, event.id);
  let next: SpanRowToInsert;
  if (event.kind === 'span.delete') {
    next = row ? cloneSpanRow(row) : fresh();
    next.deleted = 1;
  } else {
    next = row && (event.kind === 'span.patch' || row.deleted === 0) ? cloneSpanRow(row) : fresh();
    applyFields(next, event.fields);
  }
  next.version = nextVersion(Number(row?.version ?? 0), event.version);
  const received = toClickHouseTime(event.received_at);
  if (received > next.received_at) next.received_at = received;
  return next;
}

function applyFields(
  row: SpanRowToInsert,
  f: Exclude<WriterSpanEvent, { kind: 'span.delete' }>['fields'],
): void {
  if (f.name !== undefined) row.name = f.name;
  if (f.parent_id !== undefined) row.parent_id = f.parent_id;
  if (f.type !== undefined) row.type = f.type ?? '';
  if (f.start_time != null) row.start_time = toClickHouseTime(f.start_time);
  if (f.end_time !== undefined) row.end_time = f.end_time && toClickHouseTime(f.end_time);
  if (f.status !== undefined) row.status = f.status;
  if (f.error !== undefined) row.error = f.error;
  if (f.input !== undefined) row.input = f.input;
  if (f.output !== undefined) row.output = f.output;
  if (f.model !== undefined) row.model = f.model ?? '';
  if (f.cost !== undefined) row.cost = f.cost;
  if (f.score !== undefined) row.score = f.score;
  if (f.feedback_score !== undefined) row.feedback_score = f.feedback_score;
  if (f.feedback_comment !== undefined) row.feedback_comment = f.feedback_comment;
  if (f.usage) {
    const u = f.usage;
    if (u.prompt_tokens !== undefined) row.prompt_tokens = u.prompt_tokens;
    if (u.completion_tokens !== undefined) row.completion_tokens = u.completion_tokens;
    if (u.total_tokens !== undefined) row.total_tokens = u.total_tokens;
    else if (u.prompt_tokens !== undefined || u.completion_tokens !== undefined)
      row.total_tokens = row.prompt_tokens + row.completion_tokens;
  }
  if (f.meta === null) row.meta = {};
  else if (f.meta) {
    for (const [key, value] of Object.entries(f.meta)) {
      if (value === null) delete row.meta[key];
      else row.meta[key] = JSON.stringify(value);
    }
  }
  if (f.tags === null) row.tags = {};
  else if (f.tags) Object.assign(row.tags, f.tags);
}
