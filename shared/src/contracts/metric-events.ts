import { z } from 'zod';
import { EventVersion, SchemaVersion, Timestamp, Uuid } from './common.js';
import { Limits } from './limits.js';

export const MetricFields = z.object({
  dimension: z.string().min(1).max(Limits.dimensionMaxChars),
  value: z.number().refine(Number.isFinite, 'must be a finite number'),
  comment: z.string().max(Limits.commentMaxChars).nullable(),
});
export type MetricFields = z.infer<typeof MetricFields>;

const metricEventBase = {
  v: SchemaVersion,
  version: EventVersion,
  project_id: Uuid,
  /** The metric. */
  id: Uuid,
  span_id: Uuid,
  trace_id: Uuid,
  received_at: Timestamp,
};

export const MetricUpsertEvent = z.object({
  ...metricEventBase,
  kind: z.literal('metric.upsert'),
  /** When the metric was recorded. */
  created_at: Timestamp,
  fields: MetricFields.partial().required({ dimension: true, value: true }),
});
export type MetricUpsertEvent = z.infer<typeof MetricUpsertEvent>;

export const MetricPatchEvent = z.object({
  ...metricEventBase,
  kind: z.literal('metric.patch'),
  fields: MetricFields.partial(),
});
export type MetricPatchEvent = z.infer<typeof MetricPatchEvent>;

export const MetricDeleteEvent = z.object({
  ...metricEventBase,
  kind: z.literal('metric.delete'),
});
export type MetricDeleteEvent = z.infer<typeof MetricDeleteEvent>;

/** Everything on the metrics topic. */
export const MetricEvent = z.discriminatedUnion('kind', [
  MetricUpsertEvent,
  MetricPatchEvent,
  MetricDeleteEvent,
]);
export type MetricEvent = z.infer<typeof MetricEvent>;
