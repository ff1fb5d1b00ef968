import { z } from 'zod';
import { Tags } from '../contracts/common.js';
import { listOf, SpanView, TraceSummary } from './opper-reads.js';
import { CreateSpanRequest, UpdateSpanRequest } from './opper-spans.js';

/**
 * Opper's v3 spans and traces (docs/OPPER-V3.md), as PyPI `opperai` 2.x and npm `opperai` 4.x speak
 * them. v3 is the v2 store behind another envelope: requests map onto the v2 write shapes, responses
 * are the v2 views wrapped in `{data: ...}`, so a span written through either version reads through both.
 */

/**
 * v3 tag values are any JSON; the store keeps string tags (what traces are filtered by), so a
 * non-string value is kept as its JSON text and the v2 limits on tags still apply.
 */
const V3Tags = z
  .record(z.string(), z.unknown())
  .transform((tags) =>
    Object.fromEntries(
      Object.entries(tags).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  )
  .pipe(Tags);

/**
 * `POST /v3/spans`: the v2 create (same fields, same limits, our extensions such as `id` included)
 * with v3's tag values. `null` means "not given", as on v2.
 */
export const V3CreateSpanRequest = CreateSpanRequest.extend({
  tags: V3Tags.nullish().transform((v) => v ?? undefined),
});
export type V3CreateSpanRequest = z.output<typeof V3CreateSpanRequest>;

/** `PATCH /v3/spans/{id}`: only keys present apply (the SDKs send `output`, `error`, `end_time`, `meta`, `metadata`, `tags`). */
export const V3UpdateSpanRequest = UpdateSpanRequest.extend({ tags: V3Tags.nullable().optional() });
export type V3UpdateSpanRequest = z.output<typeof V3UpdateSpanRequest>;

/** Every v3 answer with a body wraps it: `{data: ...}`. */
export const v3DataOf = <T extends z.ZodType>(item: T) => z.object({ data: item });

/** The create answer's `data`: what the SDKs read to open children and the trace. */
export const V3SpanCreated = z.object({
  id: z.uuid(),
  trace_id: z.uuid(),
  name: z.string(),
  parent_id: z.uuid().nullable(),
  type: z.string().nullable(),
});
export type V3SpanCreated = z.infer<typeof V3SpanCreated>;

/** A v3 span: the v2 span view (extensions included) plus `metadata`, the v3 name of `meta`. */
export const V3Span = SpanView.extend({ metadata: SpanView.shape.meta });
export type V3Span = z.infer<typeof V3Span>;

export const v3Span = (span: SpanView): V3Span => ({ ...span, metadata: span.meta });

/** `GET /v3/traces` items: the v2 trace summary holds every v3 field (`id`, `name`, `span_count`, times, `status`). */
export const V3TraceList = listOf(TraceSummary);

/** A trace with its spans as v3 spans; `truncated` past the server's response byte budget. */
export const V3Trace = TraceSummary.extend({
  spans: z.array(V3Span),
  truncated: z.boolean().optional(),
});
export type V3Trace = z.infer<typeof V3Trace>;

/**
 * `GET /v3/traces/{id}`: PyPI `opperai` 2.x reads the trace's fields at the top level, npm `opperai`
 * 4.x reads them under `data`; the answer carries both, so either SDK reads it unchanged.
 */
export const V3TraceResponse = V3Trace.extend({ data: V3Trace });
export type V3TraceResponse = z.infer<typeof V3TraceResponse>;

export const v3TraceResponse = (trace: V3Trace): V3TraceResponse => ({ ...trace, data: trace });

/** Every v3 error: `{error: {code, message, details?}}`; `code` is one of our stable `TH_*` codes. */
export const V3ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type V3ErrorBody = z.infer<typeof V3ErrorBody>;
