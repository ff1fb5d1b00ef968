import { randomUUID } from 'node:crypto';
import { createReadSide } from '@tracehouse/api';
import { startWriteSide, VersionClock, type WriteSide } from '@tracehouse/ingest';
import { datasetIdFor } from '@tracehouse/shared';
import {
  clickhouseConnection,
  clickhouseHealthy,
  createClickHouse,
  createKafka,
  ensureProject,
  ensureTracehouseTopics,
  findProjectIdByKeyHash,
  findSpanLocation,
  type HealthRegistry,
  kafkaHealthy,
  type Logger,
  restartedByCaller,
  type ShutdownStep,
  SpanIndex,
  Telemetry,
} from '@tracehouse/shared/node';
import type { FastifyInstance } from 'fastify';
import { buildServerApp } from './app.js';
import { ApiKeyResolver } from './auth/api-key-resolver.js';
import type { ServerConfig } from './config.js';

export interface ServerService {
  app: FastifyInstance;
  /** In order: stop taking requests, send what was accepted, then release clients. */
  shutdownSteps: ShutdownStep[];
}

/** ClickHouse settings on every read query: no single request may hold the database for long. */
export function readQuerySettings(config: ServerConfig): Record<string, string | number> {
  return {
    max_execution_time: config.QUERY_MAX_EXECUTION_SECONDS,
    max_memory_usage: config.QUERY_MAX_MEMORY_BYTES,
    max_result_rows: config.QUERY_MAX_RESULT_ROWS,
    // 'throw', not 'break': a cut result would be a wrong answer, not a smaller one.
    result_overflow_mode: 'throw',
  };
}

/**
 * Wires one server process: its clients, the span index (parent lookups for writes, fences for reads),
 * the write side when it serves `ingest`, the read routes when it serves `api`, and the HTTP app. The
 * caller decides whether and where it listens.
 */
export async function startServer(options: {
  config: ServerConfig;
  logger: Logger;
  health: HealthRegistry;
  /** Shared with the other services of the process (`npm start`); a fresh one otherwise. */
  telemetry?: Telemetry;
}): Promise<ServerService> {
  const { config, health } = options;
  const roles = new Set(config.SERVICES);
  const telemetry = options.telemetry ?? new Telemetry();
  const logger = options.logger.child({ component: 'server', roles: [...roles] });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-server`,
    logger,
  });
  const clickhouse = createClickHouse({
    ...clickhouseConnection(config),
    logger,
    settings: readQuerySettings(config),
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = await ensureTracehouseTopics(admin, config);

  // Versions of acknowledged writes: never behind one seen on the index (a hybrid logical clock).
  const clock = new VersionClock(() => Date.now() + config.INGEST_CLOCK_SKEW_MS);
  const origin = randomUUID();
  // Every process reads the whole span index, so its group is its own.
  const index = new SpanIndex({
    topic: topics.spanIndex,
    consumer: kafka.consumer(
      restartedByCaller({
        groupId: `${config.KAFKA_CLIENT_ID}-server-index-${randomUUID()}`,
        maxWaitTimeInMs: 100,
      }),
    ),
    admin,
    lookupStored: (projectId, spanId) => findSpanLocation(clickhouse, projectId, spanId),
    logger,
    maxEntries: config.SPAN_INDEX_MAX_ENTRIES,
    replayMs: config.SPAN_INDEX_REPLAY_MS,
    catchUpTimeoutMs: config.SPAN_INDEX_CATCH_UP_MS,
    origin,
    onVersion: (version) => clock.observe(version),
    onMalformed: () => telemetry.malformedIndexRecords.inc(),
  });
  await index.start();

  const localProjectId = config.LOCAL_PROJECT
    ? (await ensureProject(clickhouse, config.LOCAL_PROJECT)).id
    : undefined;
  // Reads wait for the writer only as long as something acknowledged is not stored yet. Writes use the
  // same reads to find stored spans, metrics and entries, so both roles build them.
  const readSide = createReadSide({
    clickhouse,
    fences: index,
    waitMs: config.READ_YOUR_WRITES_WAIT_MS,
    datasetIdFor,
    maxResponseBytes: config.RESPONSE_MAX_BYTES,
    exportSettings: { max_result_rows: 0, max_execution_time: config.EXPORT_MAX_EXECUTION_SECONDS },
    analytics: { maxWindowDays: config.ANALYTICS_MAX_WINDOW_DAYS, maxBuckets: config.ANALYTICS_MAX_BUCKETS },
  });
  const { reads } = readSide;
  let writeSide: WriteSide | undefined;
  if (roles.has('ingest')) {
    writeSide = await startWriteSide({
      settings: config,
      kafka,
      topics,
      telemetry,
      index,
      clock,
      origin,
      lookups: {
        findMetric: (projectId, spanId, metricId) => reads.findSpanMetric(projectId, spanId, metricId),
        findSpanContent: (projectId, _traceId, spanId) => reads.spanRow(projectId, spanId),
        findDatasetName: async (projectId, datasetId) =>
          index.knownDataset(projectId, datasetId)?.name ?? reads.datasetName(projectId, datasetId),
        findDatasetEntry: (projectId, datasetId, entryId) =>
          reads.findDatasetEntry(projectId, datasetId, entryId),
      },
    });
  }
  const keys = new ApiKeyResolver({
    findProjectId: (hash) => findProjectIdByKeyHash(clickhouse, hash),
    validTtlMs: config.AUTH_CACHE_TTL_MS,
    lookupsPerSecond: config.AUTH_UNKNOWN_KEY_LOOKUPS_PER_SECOND,
  });
  const app = await buildServerApp({
    logger,
    health,
    healthCacheMs: config.HEALTH_CACHE_MS,
    telemetry,
    auth: { keys, localProjectId },
    rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
    http: {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      connectionTimeoutMs: config.CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
    },
    writes: writeSide && {
      writes: writeSide.writes,
      spanAfterWrite: (projectId, spanId) => reads.spanAfterWrite(projectId, spanId),
      traceSpanIds: (projectId, traceId) => reads.traceSpanIds(projectId, traceId),
      maxBatchItems: config.INGEST_MAX_ITEMS,
    },
    reads: roles.has('api') ? readSide : undefined,
  });
  health.register('server.kafka', () => kafkaHealthy(admin));
  health.register('server.span-index', () => index.running);
  health.register('server.clickhouse', () => clickhouseHealthy(clickhouse));

  return {
    app,
    shutdownSteps: [
      { name: 'server: stop accepting requests, finish in-flight ones', run: () => app.close() },
      ...(writeSide?.shutdownSteps ?? []),
      { name: 'server: stop span index', run: () => index.stop() },
      { name: 'server: disconnect Kafka admin', run: () => admin.disconnect() },
      { name: 'server: close ClickHouse', run: () => clickhouse.close() },
    ],
  };
}
