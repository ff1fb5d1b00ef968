import type { SpanEvent, SpanFields } from '@tracehouse/shared';
import type { SpanRow } from '@tracehouse/shared/node';
import { fieldClaims } from './field-claims.js';

/**
 * A span being merged: its row plus the version that last set each field (and each meta/tag key),
 * so events fold in any order with the same result — last writer wins per field.
 */
export interface SpanState {
  row: SpanRow;
  versions: Map<string, number>;
}

const EPOCH = '1970-01-01 00:00:00.000000';

/** ClickHouse DateTime64 text ('YYYY-MM-DD hh:mm:ss.ffffff') from a normalised ISO timestamp. */
export const toClickHouseTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 26)}`;

function emptyRow(projectId: string, traceId: string, spanId: string): SpanRow {
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
  };
}

/**
 * A stored row as state: each field that holds a value counts as set at the row's version. Empty
 * fields stay unclaimed, so a span's create arriving after a patch of it still fills them in.
 */
export function stateFromRow(row: SpanRow): SpanState {
  const version = Number(row.version);
  const versions = new Map<string, number>();
  for (const key of scalarFields) if (holdsValue(row, key)) versions.set(key, version);
  for (const key of Object.keys(row.meta)) versions.set(`meta.${key}`, version);
  for (const key of Object.keys(row.tags)) versions.set(`tags.${key}`, version);
  versions.set('deleted', version);
  return { row: { ...row, meta: { ...row.meta }, tags: { ...row.tags } }, versions };
}

function holdsValue(row: SpanRow, key: (typeof scalarFields)[number]): boolean {
  const value = key.startsWith('usage.') ? row[key.slice(6) as keyof SpanRow] : row[key as keyof SpanRow];
  return !(
    value === null ||
    value === '' ||
    value === 0 ||
    value === EPOCH ||
    (key === 'status' && value === 'unset')
  );
}

const scalarFields = [
  'name',
  'parent_id',
  'type',
  'start_time',
  'end_time',
  'status',
  'error',
  'input',
  'output',
  'model',
  'cost',
  'score',
  'feedback_score',
  'feedback_comment',
  'usage.prompt_tokens',
  'usage.completion_tokens',
  'usage.total_tokens',
] as const;

/** Folds one event into the state (creating it when undefined). Returns true when anything changed. */
export function applySpanEvent(
  state: SpanState | undefined,
  event: SpanEvent,
): { state: SpanState; changed: boolean } {
  const s = state ?? { row: emptyRow(event.project_id, event.trace_id, event.id), versions: new Map() };
  const v = event.version;
  const claims = fieldClaims(s.versions, v);
  const claim = claims.claim;

  if (event.kind === 'span.delete') {
    if (claim('deleted')) s.row.deleted = 1;
  } else {
    if (event.kind === 'span.upsert' && claim('deleted')) s.row.deleted = 0;
    applyFields(s, event.fields, claim);
  }
  const changed = claims.changed;
  if (changed) {
    s.row.version = Math.max(Number(s.row.version), v);
    if (event.received_at > isoOf(s.row.received_at)) s.row.received_at = toClickHouseTime(event.received_at);
  }
  return { state: s, changed };
}

const isoOf = (chTime: string) => `${chTime.slice(0, 10)}T${chTime.slice(11)}Z`;

function applyFields(s: SpanState, f: Partial<SpanFields>, claim: (key: string) => boolean): void {
  const row = s.row;
  if (f.name !== undefined && claim('name')) row.name = f.name;
  if (f.parent_id !== undefined && claim('parent_id')) row.parent_id = f.parent_id;
  if (f.type !== undefined && claim('type')) row.type = f.type ?? '';
  if (f.start_time != null && claim('start_time')) row.start_time = toClickHouseTime(f.start_time);
  if (f.end_time !== undefined && claim('end_time'))
    row.end_time = f.end_time && toClickHouseTime(f.end_time);
  if (f.status !== undefined && claim('status')) row.status = f.status;
  if (f.error !== undefined && claim('error')) row.error = f.error;
  if (f.input !== undefined && claim('input')) row.input = f.input;
  if (f.output !== undefined && claim('output')) row.output = f.output;
  if (f.model !== undefined && claim('model')) row.model = f.model ?? '';
  if (f.cost !== undefined && claim('cost')) row.cost = f.cost;
  if (f.score !== undefined && claim('score')) row.score = f.score;
  if (f.feedback_score !== undefined && claim('feedback_score')) row.feedback_score = f.feedback_score;
  if (f.feedback_comment !== undefined && claim('feedback_comment'))
    row.feedback_comment = f.feedback_comment;
  if (f.usage) {
    const u = f.usage;
    if (u.prompt_tokens !== undefined && claim('usage.prompt_tokens')) row.prompt_tokens = u.prompt_tokens;
    if (u.completion_tokens !== undefined && claim('usage.completion_tokens'))
      row.completion_tokens = u.completion_tokens;
    if (u.total_tokens !== undefined && claim('usage.total_tokens')) row.total_tokens = u.total_tokens;
    else if (
      u.total_tokens === undefined &&
      (u.prompt_tokens !== undefined || u.completion_tokens !== undefined)
    ) {
      row.total_tokens = row.prompt_tokens + row.completion_tokens;
    }
  }
  if (f.meta === null) {
    for (const key of Object.keys(row.meta)) if (claim(`meta.${key}`)) delete row.meta[key];
  } else if (f.meta) {
    for (const [key, value] of Object.entries(f.meta)) {
      if (!claim(`meta.${key}`)) continue;
      if (value === null) delete row.meta[key];
      else row.meta[key] = JSON.stringify(value);
    }
  }
  if (f.tags === null) {
    for (const key of Object.keys(row.tags)) if (claim(`tags.${key}`)) delete row.tags[key];
  } else if (f.tags) {
    for (const [key, value] of Object.entries(f.tags)) if (claim(`tags.${key}`)) row.tags[key] = value;
  }
}
