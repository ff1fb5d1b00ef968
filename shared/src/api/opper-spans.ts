import { z } from 'zod';
import { Meta, SpanStatus, Tags, TokenUsage, Uuid } from '../contracts/common.js';
import { Limits } from '../contracts/limits.js';
import { normalizeTimestamp } from '../contracts/timestamps.js';
import { withFastPath } from '../parse-input.js';
import { fastCreateSpan, fastUpdateSpan } from './fast-requests.js';

/** Accepts ISO-8601 with or without a zone (zone-less = UTC) and normalises to UTC microseconds. */
export const RequestTimestamp = z.string().transform((value, ctx) => {
  const normalized = normalizeTimestamp(value);
  if (normalized === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 timestamp, e.g. 2025-01-01T12:00:00.123Z' });
    return z.NEVER;
  }
  return normalized;
});

/** Generated SDKs send `null` for unset optional fields; on create that means "not given". */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const spanWriteShape = {
  type: z.string().max(Limits.typeMaxChars),
  start_time: RequestTimestamp,
  end_time: RequestTimestamp,
  error: z.string().max(Limits.errorMaxChars),
  meta: Meta,
  /** The usage guide's name for `meta`. */
  metadata: Meta,
  /** An integer in Opper's contract. */
  score: z.number().int(),
  /** Our extension: `{key: value}` tags to filter by. */
  tags: Tags,
  status: SpanStatus,
  model: z.string().max(Limits.modelMaxChars),
  usage: TokenUsage,
  cost: z.number().nonnegative(),
};

/** `POST /v2/spans`. `input`/`output` are any JSON. */
export const CreateSpanRequest = withFastPath(
  z.object({
    name: z.string().min(1).max(Limits.nameMaxChars),
    id: optional(Uuid),
    trace_id: optional(Uuid),
    parent_id: optional(Uuid),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    type: optional(spanWriteShape.type),
    start_time: optional(spanWriteShape.start_time),
    end_time: optional(spanWriteShape.end_time),
    error: optional(spanWriteShape.error),
    meta: optional(spanWriteShape.meta),
    metadata: optional(spanWriteShape.metadata),
    score: optional(spanWriteShape.score),
    tags: optional(spanWriteShape.tags),
    status: optional(spanWriteShape.status),
    model: optional(spanWriteShape.model),
    usage: optional(spanWriteShape.usage),
    cost: optional(spanWriteShape.cost),
  }),
  fastCreateSpan,
);
export type CreateSpanRequest = z.output<typeof CreateSpanRequest>;

/**
 * `PATCH /v2/spans/{id}`: only keys present apply; `null` clears a clearable field; `{}` is valid.
 * `meta`/`metadata`/`tags` merge key by key into what the span has.
 */
export const UpdateSpanRequest = withFastPath(
  z.object({
    name: z.string().min(1).max(Limits.nameMaxChars).optional(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    type: spanWriteShape.type.nullable().optional(),
    start_time: spanWriteShape.start_time.optional(),
    end_time: spanWriteShape.end_time.nullable().optional(),
    error: spanWriteShape.error.nullable().optional(),
    meta: spanWriteShape.meta.nullable().optional(),
    metadata: spanWriteShape.metadata.nullable().optional(),
    score: spanWriteShape.score.nullable().optional(),
    tags: spanWriteShape.tags.nullable().optional(),
    status: spanWriteShape.status.optional(),
    model: spanWriteShape.model.nullable().optional(),
    usage: spanWriteShape.usage.optional(),
    cost: spanWriteShape.cost.nullable().optional(),
  }),
  fastUpdateSpan,
);
export type UpdateSpanRequest = z.output<typeof UpdateSpanRequest>;

/** The span as the Opper API returns it. */
export interface SpanResponse {
  id: string;
  name: string;
  trace_id: string;
  parent_id: string | null;
  type: string | null;
  start_time: string | null;
  end_time: string | null;
  input: unknown;
  output: unknown;
  error: string | null;
  meta: Record<string, unknown> | null;
  score: number | null;
  tags?: Record<string, string>;
}

/** `POST /v2/spans/{id}/feedback`. */
export const FeedbackRequest = z.object({
  score: z.number().min(0).max(1),
  comment: z.string().max(Limits.commentMaxChars).nullish(),
  save_to_dataset: z.boolean().nullish(),
});
export type FeedbackRequest = z.output<typeof FeedbackRequest>;

export interface FeedbackResponse {
  span_id: string;
  score: number;
  comment: string | null;
  example_saved: boolean;
}

/** `POST /v2/spans/{id}/save_examples`: no body (the SDKs), or our `{dataset_name}` extension. */
export const SaveExamplesRequest = z
  .object({ dataset_name: z.string().min(1).max(Limits.nameMaxChars).nullish() })
  .nullish()
  .transform((body) => ({ dataset_name: body?.dataset_name ?? undefined }));

export interface SaveExamplesResponse {
  dataset_id: string;
  dataset_entry_id: string;
  input: string | null;
  output: string | null;
  expected: string | null;
  comment: string | null;
}
