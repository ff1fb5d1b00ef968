import { type ReadSide, readRoutes, readRoutesV3 } from '@tracehouse/api';
import { dashboardPlugin } from '@tracehouse/dashboard/server';
import { type WriteRoutesOptions, writeRoutes, writeRoutesV3 } from '@tracehouse/ingest';
import type { HealthRegistry, Logger, Telemetry } from '@tracehouse/shared/node';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type AuthOptions, projectAuthPlugin } from './plugins/auth.js';
import { docsPlugin } from './plugins/docs.js';
import { errorHandlerPlugin, setV3ErrorHandler } from './plugins/error-handler.js';
import { healthPlugin } from './plugins/health.js';
import { jsonBodyPlugin } from './plugins/json-body.js';
import { otlpScope } from './plugins/otlp-scope.js';
import { projectRateLimitPlugin, type RateLimitOptions } from './plugins/rate-limit.js';
import { telemetryPlugin } from './plugins/telemetry.js';
import { zodSchemasPlugin } from './plugins/zod-schemas.js';

export interface HttpLimits {
  bodyLimitBytes: number;
  /** Whole request, idle connection before the first request, keep-alive between requests. */
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export interface ServerAppOptions {
  logger: Logger;
  health: HealthRegistry;
  /** `/healthz` runs its checks at most once per this many ms. */
  healthCacheMs?: number;
  telemetry?: Telemetry;
  auth: AuthOptions;
  /** Requests per project per window (per process); max 0: no limit. */
  rateLimit: RateLimitOptions;
  http?: Partial<HttpLimits>;
  /** Ingest's write routes, in a process that serves the ingest role. */
  writes?: WriteRoutesOptions;
  /** Api's read routes, in a process that serves the api role. */
  reads?: ReadSide;
  version?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Every API route served (`METHOD /v2/...`, `METHOD /v3/...`): the API reference and the auth tests
     * check them.
     */
    apiRoutes: { method: string; url: string }[];
  }
}

/** The API's routes: `/v2/...` (Opper v2 and our extensions) and `/v3/...` (Opper v3). */
export const isApiUrl = (url: string) => url.startsWith('/v2/') || url.startsWith('/v3/');

/**
 * The HTTP composition root: cross-cutting plugins at the top, then one API scope that requires a
 * project (and counts it against its rate limit) for every route inside it, holding a `/v2` and a
 * `/v3` scope with ingest's write routes and api's read routes as this process's roles say, and the OTLP scope
 * (`/v1/traces`) beside it in a process that writes. Built from injected parts; never reads env
 * and never listens (see main.ts).
 */
export async function buildServerApp(options: ServerAppOptions): Promise<FastifyInstance> {
  const http = options.http ?? {};
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    requestIdHeader: 'x-request-id',
    // One line per request would dominate the logs at production volume; errors are logged once.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: http.bodyLimitBytes ?? 16 * 1024 * 1024,
    requestTimeout: http.requestTimeoutMs ?? 30_000,
    connectionTimeout: http.connectionTimeoutMs ?? 10_000,
    keepAliveTimeout: http.keepAliveTimeoutMs ?? 65_000,
    // Requests arriving while the server closes get 503, so clients retry elsewhere.
    return503OnClosing: true,
  });
  app.decorate('apiRoutes', [] as { method: string; url: string }[]);
  app.addHook('onRoute', ({ method, url }) => {
    if (!isApiUrl(url)) return;
    for (const m of [method].flat()) if (m !== 'HEAD') app.apiRoutes.push({ method: m, url });
  });
  await app.register(errorHandlerPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(zodSchemasPlugin);
  await app.register(healthPlugin, { health: options.health, cacheMs: options.healthCacheMs ?? 1_000 });
  if (options.telemetry) await app.register(telemetryPlugin, { telemetry: options.telemetry });
  await app.register(docsPlugin, { version: options.version ?? '0.1.0' });
  // One encapsulated scope: its hooks (auth, then rate limit) run for every route registered in it or
  // its children, and for no other route; both versions share a project's budget.
  await app.register(async function apiScope(api) {
    await api.register(projectAuthPlugin, options.auth);
    if (options.rateLimit.max > 0) await api.register(projectRateLimitPlugin, options.rateLimit);
    await api.register(async function v2Scope(v2) {
      if (options.writes) await v2.register(writeRoutes, options.writes);
      if (options.reads) await v2.register(readRoutes, options.reads);
    });
    // Opper's v3 spans and traces: the same services, v3's envelopes and error body (its handler also
    // answers the errors of the hooks above for v3 routes).
    await api.register(async function v3Scope(v3) {
      setV3ErrorHandler(v3);
      if (options.writes) await v3.register(writeRoutesV3, options.writes);
      if (options.reads) await v3.register(readRoutesV3, options.reads);
    });
  });
  // OTLP/HTTP traces, at the standard path and under /otlp for proxies: a scope of its own, since it
  // takes the key from another header too and reads protobuf and gzip bodies.
  if (options.writes) {
    await app.register(otlpScope, {
      auth: options.auth,
      rateLimit: options.rateLimit,
      otlp: {
        writes: options.writes.writes,
        bodyLimitBytes: http.bodyLimitBytes ?? 16 * 1024 * 1024,
        prefixes: ['', '/otlp'],
      },
    });
  }
  // The dashboard (static assets, same origin as the API); it never answers for /v2, /v3 or the docs.
  if (options.reads) await app.register(dashboardPlugin);
  return app;
}
