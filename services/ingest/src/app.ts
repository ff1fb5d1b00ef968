import type { ClickHouseClient } from '@clickhouse/client';
import { apiRoutes, docsPlugin, type ReadService, SearchService } from '@tracehouse/api';
import { dashboardPlugin } from '@tracehouse/dashboard/server';
import type { HealthRegistry, Logger, Telemetry } from '@tracehouse/shared/node';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { WriteService } from './domain/write-service.js';
import { parseJsonBody } from './http/json-body.js';
import { type AuthOptions, authPlugin } from './plugins/auth.js';
import { errorHandlerPlugin } from './plugins/error-handler.js';
import { type RateLimitOptions, rateLimitPlugin } from './plugins/rate-limit.js';
import { telemetryPlugin } from './plugins/telemetry.js';
import { healthRoutes } from './routes/health.js';
import { datasetEntryRoutes } from './routes/v2/dataset-entries.js';
import { ingestRoutes } from './routes/v2/ingest.js';
import { spanMetricRoutes } from './routes/v2/span-metrics.js';
import { spanRoutes } from './routes/v2/spans.js';

export interface IngestAppOptions {
  logger: Logger;
  health: HealthRegistry;
  /** Without it the app serves health only (used by processes that ingest nothing). */
  writes?: WriteService;
  /** The read side (services/api), mounted on the same /v2 when given. */
  reads?: ReadService;
  clickhouse?: ClickHouseClient;
  auth?: AuthOptions;
  bodyLimitBytes?: number;
  maxBatchItems?: number;
  /** Prometheus metrics served at `/metrics` and fed by every request. */
  telemetry?: Telemetry;
  /** Requests per API key per window (per process); absent or max 0: no limit. */
  rateLimit?: RateLimitOptions;
  /** Told about every route as it is added (tests check the API reference covers them all). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

/** Builds the HTTP app from injected parts; never reads env and never listens (see main.ts). */
export async function buildIngestApp(options: IngestAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    requestIdHeader: 'x-request-id',
    // One line per request would dominate the logs at production volume; errors are logged once.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    // Requests arriving while the server closes get 503, so clients retry elsewhere.
    return503OnClosing: true,
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  if (options.onRoute) app.addHook('onRoute', (route) => options.onRoute?.(route));
  await app.register(errorHandlerPlugin);
  await app.register(healthRoutes, { health: options.health });
  if (options.telemetry) await app.register(telemetryPlugin, { telemetry: options.telemetry });
  if (options.rateLimit && options.rateLimit.max > 0) await app.register(rateLimitPlugin, options.rateLimit);
  if (options.writes) {
    if (!options.auth) throw new Error('buildIngestApp: writes need auth options');
    await app.register(authPlugin, options.auth);
    await app.register(spanRoutes, { writes: options.writes, reads: options.reads });
    await app.register(spanMetricRoutes, { writes: options.writes });
    await app.register(datasetEntryRoutes, { writes: options.writes });
    await app.register(ingestRoutes, { writes: options.writes, maxItems: options.maxBatchItems ?? 1_000 });
    await app.register(docsPlugin);
    await app.register(dashboardPlugin);
    if (options.reads && options.clickhouse) {
      await app.register(apiRoutes, {
        reads: options.reads,
        search: new SearchService(options.clickhouse),
        clickhouse: options.clickhouse,
      });
    }
  }
  return app;
}
