import { z } from 'zod';
import { EventVersion, SchemaVersion, Uuid } from './common.js';

/** Span id → trace id, so every ingest process can put a child into its parent's trace. */
export const SpanIndexEntry = z.object({
  v: SchemaVersion,
  project_id: Uuid,
  span_id: Uuid,
  trace_id: Uuid,
  version: EventVersion,
  /** Name and parent as last written, so a write response can describe the span without a read. */
  name: z.string().optional(),
  parent_id: Uuid.nullable().optional(),
  /** True once the span was deleted: later writes to it are refused like writes to an unknown span. */
  deleted: z.boolean().optional(),
});
export type SpanIndexEntry = z.infer<typeof SpanIndexEntry>;
