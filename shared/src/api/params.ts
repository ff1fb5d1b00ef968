import { z } from 'zod';

/** Path ids are UUIDs; a malformed one is 422 naming the parameter (never a 500). */
export const SpanParams = z.object({ span_id: z.uuid('must be a UUID') });
export const MetricParams = z.object({
  span_id: z.uuid('must be a UUID'),
  metric_id: z.uuid('must be a UUID'),
});
export const DatasetParams = z.object({ dataset_id: z.uuid('must be a UUID') });
export const DatasetEntryParams = z.object({
  dataset_id: z.uuid('must be a UUID'),
  entry_id: z.uuid('must be a UUID'),
});
export const TraceParams = z.object({ trace_id: z.uuid('must be a UUID') });
