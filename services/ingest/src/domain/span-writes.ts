import {
  AppError,
  type CreateSpanRequest,
  ErrorCodes,
  type SpanFields,
  type SpanPatchEvent,
  type SpanResponse,
  type SpanUpsertEvent,
  type UpdateSpanRequest,
} from '@tracehouse/shared';
import { JsonTextBytes, tokenFields } from '@tracehouse/shared/node';

/** What every event made from one request shares. */
export interface WriteContext {
  projectId: string;
  version: number;
  /** ISO UTC, when ingest accepted the request. */
  receivedAt: string;
  /** Largest JSON text allowed for `input`/`output`. */
  ioMaxBytes: number;
}

const tooLarge = (field: string, maxBytes: number) =>
  new AppError(ErrorCodes.VALIDATION, `${field}: must be at most ${maxBytes} bytes as JSON`, {
    details: { field, maxBytes },
  });

/** Refuses a text larger than `maxBytes`, naming the field. */
export function sizedText(text: string, field: string, maxBytes: number): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most texts are known small enough without counting
  // their bytes, a scan that cost ~5 % of ingest's CPU on 9 KB spans.
  if (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes) throw tooLarge(field, maxBytes);
  return text;
}

/**
 * A span's input/output as JSON text, refusing oversized values by field name. A long string the
 * body kept as bytes (`keepSpanTexts`) is its JSON text already.
 */
export function jsonText(value: unknown, field: string, maxBytes: number): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof JsonTextBytes) {
    if (value.length > maxBytes) throw tooLarge(field, maxBytes);
    // Stands in for the string it holds until `encodeTraceEvent` writes it (the event's type is the
    // contract's, where texts are strings).
    return value as unknown as string;
  }
  return sizedText(JSON.stringify(value), field, maxBytes);
}

/**
 * The body's config for span writes (`KeepTexts`): a long input or output string stays bytes from the
 * request to the Kafka record (docs/WRITE-PATH.md §1).
 */
export function keepSpanTexts(body: unknown, take: (value: unknown) => unknown): void {
  if (body === null || typeof body !== 'object') return;
  const request = body as Record<string, unknown>;
  for (const key of tokenFields) if (Object.hasOwn(request, key)) request[key] = take(request[key]);
}

/** `keepSpanTexts` for each span write of a `/v2/ingest` batch. */
export function keepIngestTexts(body: unknown, take: (value: unknown) => unknown): void {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return;
  for (const item of items as ({ type?: unknown; body?: unknown } | null)[]) {
    if (item?.type === 'span.create' || item?.type === 'span.update') keepSpanTexts(item.body, take);
  }
}

const mergedMeta = (meta?: Record<string, unknown> | null, metadata?: Record<string, unknown> | null) =>
  meta || metadata ? { ...metadata, ...meta } : undefined;

/** `POST /v2/spans` → the upsert event (ids already resolved by the caller). */
export function spanUpsertEvent(
  req: CreateSpanRequest,
  ids: { id: string; traceId: string },
  ctx: WriteContext,
): SpanUpsertEvent {
  const fields: SpanUpsertEvent['fields'] = {
    name: req.name,
    parent_id: req.parent_id ?? null,
    start_time: req.start_time ?? ctx.receivedAt,
    status: req.status ?? (req.error ? 'error' : 'unset'),
  };
  const input = jsonText(req.input, 'input', ctx.ioMaxBytes);
  const output = jsonText(req.output, 'output', ctx.ioMaxBytes);
  if (input !== null) fields.input = input;
  if (output !== null) fields.output = output;
  if (req.type !== undefined) fields.type = req.type;
  if (req.end_time !== undefined) fields.end_time = req.end_time;
  if (req.error !== undefined) fields.error = req.error;
  const meta = mergedMeta(req.meta, req.metadata);
  if (meta) fields.meta = meta;
  if (req.tags) fields.tags = req.tags;
  if (req.model !== undefined) fields.model = req.model;
  if (req.usage) fields.usage = req.usage;
  if (req.cost !== undefined) fields.cost = req.cost;
  if (req.score !== undefined) fields.score = req.score;
  return {
    v: 1,
    kind: 'span.upsert',
    version: ctx.version,
    project_id: ctx.projectId,
    id: ids.id,
    trace_id: ids.traceId,
    received_at: ctx.receivedAt,
    fields,
  };
}

/** `PATCH /v2/spans/{id}` → the patch event: only keys present in the request. */
export function spanPatchEvent(
  req: UpdateSpanRequest,
  ids: { id: string; traceId: string },
  ctx: WriteContext,
): SpanPatchEvent {
  const fields: SpanPatchEvent['fields'] = {};
  const set = <K extends keyof SpanFields>(key: K, value: SpanFields[K] | undefined) => {
    if (value !== undefined) fields[key] = value;
  };
  set('name', req.name);
  if (req.input !== undefined) fields.input = jsonText(req.input, 'input', ctx.ioMaxBytes);
  if (req.output !== undefined) fields.output = jsonText(req.output, 'output', ctx.ioMaxBytes);
  set('type', req.type);
  set('start_time', req.start_time);
  set('end_time', req.end_time);
  set('error', req.error);
  // `meta: null` (or `metadata: null`) alone clears every key; objects merge key by key.
  const clearsMeta =
    (req.meta === null && req.metadata == null) || (req.metadata === null && req.meta == null);
  set('meta', clearsMeta ? null : mergedMeta(req.meta, req.metadata));
  set('tags', req.tags);
  set('model', req.model);
  set('usage', req.usage);
  set('cost', req.cost);
  set('score', req.score);
  // An error reported after the fact marks the span failed unless the caller says otherwise.
  set('status', req.status ?? (req.error ? 'error' : undefined));
  return {
    v: 1,
    kind: 'span.patch',
    version: ctx.version,
    project_id: ctx.projectId,
    id: ids.id,
    trace_id: ids.traceId,
    received_at: ctx.receivedAt,
    fields,
  };
}

/**
 * The Opper span shape for a write response, from what this request set plus what the index knows
 * (name, parent). Input and output are the request's own values: parsing the event's JSON text back
 * would give the same values at the cost of a parse per span. A GET returns the full merged span once
 * written.
 */
export function spanWriteResponse(
  event: SpanUpsertEvent | SpanPatchEvent,
  request: { input?: unknown; output?: unknown },
  known: { name?: string; parentId?: string | null } = {},
): SpanResponse {
  const f = event.fields;
  const response: SpanResponse = {
    id: event.id,
    name: f.name ?? known.name ?? '',
    trace_id: event.trace_id,
    parent_id: f.parent_id !== undefined ? f.parent_id : (known.parentId ?? null),
    type: f.type ?? null,
    start_time: f.start_time ?? null,
    end_time: f.end_time ?? null,
    input: requestValue(request.input),
    output: requestValue(request.output),
    error: f.error ?? null,
    meta: f.meta ?? null,
    score: f.score ?? null,
  };
  if (f.tags) response.tags = f.tags;
  return response;
}

/** A kept text is answered as the value it stands for, parsed only if the answer is sent (`/v2/spans`). */
const requestValue = (value: unknown) =>
  value instanceof JsonTextBytes ? { toJSON: () => value.value() } : (value ?? null);
