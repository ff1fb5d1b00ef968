import type { FastifyPluginAsync } from 'fastify';
import type { ReadSide } from './read-side.js';
import { alertRoutes } from './routes/v2/alerts.js';
import { datasetReadRoutes } from './routes/v2/datasets.js';
import { searchRoutes } from './routes/v2/search.js';
import { spanMetricReadRoutes } from './routes/v2/span-metrics.js';
import { spanReadRoutes } from './routes/v2/spans.js';
import { tagSuggestionRoutes } from './routes/v2/tag-suggestions.js';
import { traceReadRoutes } from './routes/v2/traces.js';
import { v3SpanReadRoutes } from './routes/v3/spans.js';
import { v3TraceReadRoutes } from './routes/v3/traces.js';

/**
 * Every read route of `/v2`. The host registers them inside its authenticated scope (each handler runs
 * with `request.projectId` set) and gives each route plugin only the functions it calls.
 */
export const readRoutes: FastifyPluginAsync<ReadSide> = async (app, side) => {
  await app.register(spanReadRoutes, { reads: side.reads });
  await app.register(spanMetricReadRoutes, { reads: side.reads });
  await app.register(traceReadRoutes, { reads: side.reads });
  await app.register(datasetReadRoutes, { reads: side.reads, datasetEntries: side.datasetEntries });
  await app.register(searchRoutes, { search: side.search, analytics: side.analytics });
  await app.register(tagSuggestionRoutes, { clickhouse: side.clickhouse });
  await app.register(alertRoutes, { clickhouse: side.clickhouse });
};

/** Every read route of `/v3` (Opper's v3 spans and traces), for the host's `/v3` scope. */
export const readRoutesV3: FastifyPluginAsync<ReadSide> = async (app, side) => {
  await app.register(v3SpanReadRoutes, { reads: side.reads });
  await app.register(v3TraceReadRoutes, { reads: side.reads });
};
