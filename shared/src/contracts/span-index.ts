import { z } from 'zod';
import { EventVersion, SchemaVersion, Uuid } from './common.js';

/**
 * Span id → trace id, so every ingest process can put a child into its parent's trace; and the version
 * of every acknowledged write, so any process can tell whether ClickHouse already holds it (reads wait
 * for it: read-your-writes). One entry per span write, and one per metric write (`target: 'metrics'`).
 */
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
  /** `metrics`: a write to one of the span's metrics (`version` is that write's); default `span`. */
  target: z.enum(['span', 'metrics']).optional(),
});
export type SpanIndexEntry = z.infer<typeof SpanIndexEntry>;

/** A write to a dataset (an entry created, changed or deleted, or the dataset created). */
export const DatasetIndexEntry = z.object({
  v: SchemaVersion,
  kind: z.literal('dataset'),
  project_id: Uuid,
  dataset_id: Uuid,
  name: z.string(),
  version: EventVersion,
});
export type DatasetIndexEntry = z.infer<typeof DatasetIndexEntry>;

/** Everything on the index topic. */
export const IndexEntry = z.union([SpanIndexEntry, DatasetIndexEntry]);
export type IndexEntry = z.infer<typeof IndexEntry>;
