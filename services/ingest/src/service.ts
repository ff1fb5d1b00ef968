import { randomUUID } from 'node:crypto';
import { ReadService } from '@tracehouse/api';
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
  type ShutdownStep,
  Telemetry,
} from '@tracehouse/shared/node';
import type { FastifyInstance } from 'fastify';
import { Partitioners } from 'kafkajs';
import { buildIngestApp } from './app.js';
import type { IngestConfig } from './config.js';
import { ProduceBatcher } from './domain/produce-batcher.js';
import { SpanIndex } from './domain/span-index.js';
import { VersionClock } from './domain/version-clock.js';
import { WriteService } from './domain/write-service.js';
import { kafkaSender } from './infra/kafka-sender.js';

export interface IngestService {
  app: FastifyInstance;
  /** In order: stop taking requests, send what was accepted, then release clients. */
  shutdownSteps: ShutdownStep[];
}

/** Wires ingest's clients and app; the caller decides whether and where it listens. */
export async function startIngest(options: {
  config: IngestConfig;
  logger: Logger;
  health: HealthRegistry;
  /** Shared with the other services of the process (`npm start`); a fresh one otherwise. */
  telemetry?: Telemetry;
}): Promise<IngestService> {
  const { config, health } = options;
  const telemetry = options.telemetry ?? new Telemetry();
  const logger = options.logger.child({ component: 'ingest' });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-ingest`,
    logger,
  });
  const clickhouse = createClickHouse({
    ...clickhouseConnection(config),
    logger,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = await ensureTracehouseTopics(admin, config);

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: config.PRODUCE_MAX_IN_FLIGHT,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const batcher = new ProduceBatcher({
    send: kafkaSender(producer, config.PRODUCE_TIMEOUT_MS, telemetry),
    lingerMs: config.PRODUCE_LINGER_MS,
    maxBatchRecords: config.PRODUCE_MAX_BATCH_RECORDS,
    maxBatchBytes: config.PRODUCE_MAX_BATCH_BYTES,
    maxPendingBytes: config.PRODUCE_MAX_PENDING_BYTES,
    maxInFlight: config.PRODUCE_MAX_IN_FLIGHT,
  });

  const clock = new VersionClock(() => Date.now() + config.INGEST_CLOCK_SKEW_MS);
  const origin = randomUUID();
  // Every ingest process reads the whole span index, so its group is its own.
  const index = new SpanIndex({
    topic: topics.spanIndex,
    consumer: kafka.consumer({
      groupId: `${config.KAFKA_CLIENT_ID}-ingest-index-${randomUUID()}`,
      maxWaitTimeInMs: 100,
    }),
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
  // Reads wait for the writer only as long as something acknowledged is not stored yet (the index
  // knows the newest acknowledged version of every span, trace and dataset).
  const reads = new ReadService({
    clickhouse,
    fences: index,
    waitMs: config.READ_YOUR_WRITES_WAIT_MS,
    datasetIdFor,
  });
  const writes = new WriteService({
    topics,
    clock,
    origin,
    produce: (records) => batcher.enqueue(records),
    index,
    findMetric: (projectId, spanId, metricId) => reads.findSpanMetric(projectId, spanId, metricId),
    findSpanContent: (projectId, _traceId, spanId) => reads.spanRow(projectId, spanId),
    findDatasetName: async (projectId, datasetId) =>
      index.knownDataset(projectId, datasetId)?.name ?? reads.datasetName(projectId, datasetId),
    findDatasetEntry: (projectId, datasetId, entryId) =>
      reads.findDatasetEntry(projectId, datasetId, entryId),
    ioMaxBytes: config.IO_MAX_BYTES,
  });
  const app = await buildIngestApp({
    logger,
    health,
    writes,
    reads,
    clickhouse,
    auth: { findProjectId: (hash) => findProjectIdByKeyHash(clickhouse, hash), localProjectId },
    telemetry,
    rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    maxBatchItems: config.INGEST_MAX_ITEMS,
  });
  health.register('ingest.kafka', () => kafkaHealthy(admin));
  health.register('ingest.span-index', () => index.running);
  health.register('ingest.clickhouse', () => clickhouseHealthy(clickhouse));

  return {
    app,
    shutdownSteps: [
      { name: 'ingest: stop accepting requests, finish in-flight ones', run: () => app.close() },
      { name: 'ingest: send everything accepted', run: () => batcher.close() },
      { name: 'ingest: disconnect producer', run: () => producer.disconnect() },
      { name: 'ingest: stop span index', run: () => index.stop() },
      { name: 'ingest: disconnect Kafka admin', run: () => admin.disconnect() },
      { name: 'ingest: close ClickHouse', run: () => clickhouse.close() },
    ],
  };
}
