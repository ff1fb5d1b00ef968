import './request-project.js';
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { ReadService } from './domain/read-service.js';
import { alertRoutes } from './routes/v2/alerts.js';
import { datasetReadRoutes } from './routes/v2/datasets.js';
import { searchRoutes } from './routes/v2/search.js';
import { spanMetricReadRoutes } from './routes/v2/span-metrics.js';
import { spanReadRoutes } from './routes/v2/spans.js';
import { tagSuggestionRoutes } from './routes/v2/tag-suggestions.js';
import { traceReadRoutes } from './routes/v2/traces.js';
import type { SearchService } from './search/search-service.js';

export interface ApiRoutesOptions {
  reads: ReadService;
  search: SearchService;
  clickhouse: ClickHouseClient;
}

/**
 * The read side, mounted beside ingest's write routes on the same `/v2` (the SDKs use one base URL).
 * Expects the host app to provide `request.projectId` (auth) and the error handler.
 */
const routes: FastifyPluginAsync<ApiRoutesOptions> = async (app, options) => {
  await app.register(spanReadRoutes, options);
  await app.register(spanMetricReadRoutes, options);
  await app.register(traceReadRoutes, options);
  await app.register(datasetReadRoutes, options);
  await app.register(searchRoutes, options);
  await app.register(tagSuggestionRoutes, options);
  await app.register(alertRoutes, { clickhouse: options.clickhouse });
};

export const apiRoutes = fp(routes, { name: 'api-routes', dependencies: ['auth', 'error-handler'] });
