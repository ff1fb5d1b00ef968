import { z } from 'zod';
import { Uuid } from '../contracts/common.js';
import { withFastPath } from '../parse-input.js';
import { fastIngestItem } from './fast-requests.js';
import { CreateMetricRequest, UpdateMetricRequest } from './opper-metrics.js';
import { CreateSpanRequest, UpdateSpanRequest } from './opper-spans.js';

/**
 * `POST /v2/ingest`: a batch of mixed events for SDKs that buffer. Each item is validated on its own,
 * so one bad item is reported in its result and does not reject the rest. Items are applied in order.
 */
export const IngestItem = withFastPath(
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('span.create'), body: CreateSpanRequest }),
    z.object({ type: z.literal('span.update'), span_id: Uuid, body: UpdateSpanRequest }),
    z.object({ type: z.literal('span.delete'), span_id: Uuid }),
    z.object({
      type: z.literal('metric.create'),
      span_id: Uuid,
      /** Lets a buffering SDK name the metric up front (retries then stay idempotent). */
      id: Uuid.optional(),
      body: CreateMetricRequest,
    }),
    z.object({ type: z.literal('metric.update'), span_id: Uuid, metric_id: Uuid, body: UpdateMetricRequest }),
    z.object({ type: z.literal('metric.delete'), span_id: Uuid, metric_id: Uuid }),
  ]),
  fastIngestItem,
);
export type IngestItem = z.output<typeof IngestItem>;

/** The envelope only; items are parsed one by one with `IngestItem`. */
export const IngestBatchRequest = z.object({ items: z.array(z.unknown()).min(1) });

export interface IngestItemResult {
  index: number;
  status: number;
  /** The created/updated entity's id (span or metric) and its trace. */
  id?: string;
  trace_id?: string;
  error?: { type: string; message: string };
}
