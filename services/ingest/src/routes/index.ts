import type { SpanView } from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { WriteService } from '../domain/write-service.js';
import { datasetEntryRoutes } from './v2/dataset-entries.js';
import { ingestRoutes } from './v2/ingest.js';
import { spanMetricRoutes } from './v2/span-metrics.js';
import { spanRoutes } from './v2/spans.js';

export interface WriteRoutesOptions {
  writes: WriteService;
  /** The merged span once stored, for PATCH answers (from the read side). */
  spanAfterWrite: (projectId: string, spanId: string) => Promise<SpanView | undefined>;
  maxBatchItems: number;
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
