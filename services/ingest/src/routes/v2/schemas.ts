import { SpanView } from '@tracehouse/shared';
import { z } from 'zod';

/** What the write routes answer (documented on the routes; the handlers build these shapes). */
export const SpanWriteResponse = SpanView.partial().required({ id: true, name: true, trace_id: true });

export const SaveExamplesResponse = z.object({
  dataset_id: z.uuid(),
  dataset_entry_id: z.uuid(),
  input: z.string().nullable(),
  output: z.string().nullable(),
  expected: z.string().nullable(),
  comment: z.string().nullable(),
});

export const FeedbackResponse = z.object({
  span_id: z.uuid(),
  score: z.number(),
  comment: z.string().nullable(),
  example_saved: z.boolean(),
});

export const IngestResponse = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.number().int(),
      id: z.string().optional(),
      trace_id: z.string().optional(),
      error: z.object({ type: z.string(), message: z.string() }).optional(),
    }),
  ),
});

/** 204 answers have no body. */
export const NoContent = z.null().describe('No content');
