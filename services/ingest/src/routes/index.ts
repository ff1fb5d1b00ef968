import type { SpanView } from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { WriteService } from '../domain/write-service.js';
import { datasetEntryRoutes } from './v2/dataset-entries.js';
import { ingestRoutes } from './v2/ingest.js';
import { spanMetricRoutes } from './v2/span-metrics.js';
import { spanRoutes } from './v2/spans.js';
import { v3SpanRoutes } from './v3/spans.js';
import { v3TraceRoutes } from './v3/traces.js';

export interface WriteRoutesOptions {
  writes: WriteService;
  /** The merged span once stored, for PATCH answers (from the read side). */
  spanAfterWrite: (projectId: string, spanId: string) => Promise<SpanView | undefined>;
  maxBatchItems: number;
  /** The ids of a trace's stored spans, for `DELETE /v3/traces/{id}` (from the read side). */
  traceSpanIds: (projectId: string, traceId: string) => Promise<string[]>;
}

/**
 * Every write route of `/v2`. The host registers them inside its authenticated scope, so each handler
 * runs with `request.projectId` set; they carry their zod schemas, which validate and document them.
 */
export const writeRoutes: FastifyPluginAsync<WriteRoutesOptions> = async (app, options) => {
  await app.register(spanRoutes, options);
  await app.register(spanMetricRoutes, options);
  await app.register(datasetEntryRoutes, options);
  await app.register(ingestRoutes, { writes: options.writes, maxItems: options.maxBatchItems });
};

/** Every write route of `/v3` (Opper's v3 spans and trace delete), for the host's `/v3` scope. */
export const writeRoutesV3: FastifyPluginAsync<WriteRoutesOptions> = async (app, options) => {
  await app.register(v3SpanRoutes, { writes: options.writes });
  await app.register(v3TraceRoutes, { writes: options.writes, traceSpanIds: options.traceSpanIds });
};
