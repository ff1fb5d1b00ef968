import { type DeadLetter, topicNames } from '@tracehouse/shared';
import {
  clickhouseConnection,
  clickhouseHealthy,
  createClickHouse,
  createKafka,
  ensureTracehouseTopics,
  type HealthRegistry,
  insertDatasetEntries,
  insertDatasets,
  insertSpanMetrics,
  insertSpans,
  insertTraceSummaries,
  kafkaHealthy,
  type Logger,
  loadDatasetEntryRows,
  restartedByCaller,
  type ShutdownStep,
  storedTraceSummaries,
  Telemetry,
  toKafkaAppError,
} from '@tracehouse/shared/node';
import { Partitioners } from 'kafkajs';
import { loadTracesWithin } from './bounded-loads.js';
import type { WriterConfig } from './config.js';
import { ConsumerLoop } from './consumer-loop.js';
import { BatchBuffer } from './domain/batch-buffer.js';
import { BatchWriter, type WriterStore } from './domain/batch-writer.js';
import { deadLetter } from './domain/dead-letters.js';
import type { EntryState } from './domain/entry-state.js';
import { PackedTraceCache } from './domain/packed-traces.js';
import { decodeRecord } from './domain/record-events.js';
import { StateCache } from './domain/state-cache.js';
import { LagGauge } from './lag-gauge.js';

export interface WriterService {
  loop: ConsumerLoop;
  telemetry: Telemetry;
  shutdownSteps: ShutdownStep[];
}

const entryBytes = (s: EntryState) =>
  256 + (s.row.input?.length ?? 0) + (s.row.output?.length ?? 0) + (s.row.expected?.length ?? 0);

/** Wires the writer's clients, consumer loop and readiness; runs alone or inside `npm start`. */
export async function startWriter(options: {
  config: WriterConfig;
  logger: Logger;
  health: HealthRegistry;
  /** Shared with the other services of the process (`npm start`); a fresh one otherwise. */
  telemetry?: Telemetry;
}): Promise<WriterService> {
  const { config, health } = options;
  const telemetry = options.telemetry ?? new Telemetry();
  const logger = options.logger.child({ component: 'writer' });
  const topics = topicNames(config.TOPIC_PREFIX);
  const clickhouse = createClickHouse({
    ...clickhouseConnection(config),
    logger,
    // Inserts wait for the data to be written, so a confirmed batch is durable before its commit.
    settings: { async_insert: 0, insert_deduplicate: 0 },
  });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-writer`,
    logger,
  });
  const admin = kafka.admin();
  await admin.connect();
  // Whichever service starts first creates the topics, with the configured partitions and sizes.
  await ensureTracehouseTopics(admin, config);

  // Dead letters keep their message's key; the partitioner is the one ingest uses (no legacy warning).
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const sendDeadLetters = async (letters: DeadLetter[]) => {
    try {
      await producer.send({
        topic: topics.deadLetter,
        acks: -1,
        messages: letters.map((l) => ({ key: l.key, value: JSON.stringify(l) })),
      });
      telemetry.deadLetters.inc(letters.length);
      logger.warn(
        { count: letters.length, reasons: letters.slice(0, 3).map((l) => l.reason) },
        'messages sent to the dead-letter topic',
      );
    } catch (err) {
      throw toKafkaAppError(err, 'producing dead letters');
    }
  };

  const store: WriterStore = {
    storedTraces: async (traces) =>
      new Map(
        (await Promise.all(chunks(traces, 2_000).map((c) => storedTraceSummaries(clickhouse, c)))).flatMap(
          (m) => [...m],
        ),
      ),
    loadTraces: (traces) => loadTracesWithin(clickhouse, traces, config.WRITER_LOAD_MAX_BYTES),
    loadEntries: async (keys) =>
      (await Promise.all(chunks(keys, 2_000).map((c) => loadDatasetEntryRows(clickhouse, c)))).flat(),
    insertSpans: (rows, stored) => insertSpans(clickhouse, rows, stored),
    insertMetrics: (rows, stored) => insertSpanMetrics(clickhouse, rows, stored),
    insertTraces: (rows) => insertTraceSummaries(clickhouse, rows),
    insertEntries: (rows) => insertDatasetEntries(clickhouse, rows),
    insertDatasets: (rows) => insertDatasets(clickhouse, rows),
  };
  const writer = new BatchWriter({
    store,
    sendDeadLetters,
    traceCache: new PackedTraceCache(config.WRITER_CACHE_MAX_BYTES * 0.95),
    entryCache: new StateCache<EntryState>(config.WRITER_CACHE_MAX_BYTES * 0.05, entryBytes),
    topics,
    logger,
  });
  const loop = new ConsumerLoop({
    consumer: kafka.consumer(
      restartedByCaller({
        groupId: config.WRITER_GROUP_ID,
        sessionTimeout: config.WRITER_SESSION_TIMEOUT_MS,
        heartbeatInterval: Math.floor(config.WRITER_SESSION_TIMEOUT_MS / 10),
        maxWaitTimeInMs: 100,
        maxBytes: 64 * 1024 * 1024,
      }),
    ),
    topics: [topics.spans, topics.metrics, topics.datasets],
    buffer: new BatchBuffer({
      maxRows: config.BATCH_MAX_ROWS,
      maxBytes: config.BATCH_MAX_BYTES,
      maxDelayMs: config.BATCH_MAX_DELAY_MS,
      maxDelayBehindMs: Math.max(config.BATCH_MAX_DELAY_BEHIND_MS, config.BATCH_MAX_DELAY_MS),
    }),
    write: (items) => writer.write(items),
    prepare: (item) => {
      item.decoded = decodeRecord(item, topics);
    },
    // A batch that keeps failing for a reason retrying cannot fix goes to the dead-letter topic with
    // that reason, instead of stalling every partition behind it.
    giveUp: async (items, err) => {
      const now = new Date();
      await sendDeadLetters(items.map((item) => deadLetter(item, `batch failed for good: ${err.code}`, now)));
    },
    maxFailedAttempts: config.WRITER_MAX_FAILED_ATTEMPTS,
    onAssignment: () => writer.invalidate(),
    logger,
    retryMinMs: config.RETRY_MIN_MS,
    retryMaxMs: config.RETRY_MAX_MS,
    onBuffered: (messages) => telemetry.writerBufferedMessages.set(messages),
    onBatch: (result, items, ms, delay) => {
      telemetry.writerBatches.inc({ delay });
      telemetry.writerBatchItems.observe(items);
      telemetry.writerBatchSeconds.observe(ms / 1000);
      telemetry.writerRows.inc({ table: 'spans' }, result.spans);
      telemetry.writerRows.inc({ table: 'span_metrics' }, result.metrics);
      telemetry.writerRows.inc({ table: 'dataset_entries' }, result.entries);
      telemetry.writerRows.inc({ table: 'trace_summaries' }, result.traces);
      telemetry.writerLoadedTraces.inc(result.loadedTraces);
      logger.debug({ ...result, items, ms, delay }, 'batch written');
    },
  });
  await loop.start();
  const lag = new LagGauge({
    admin,
    groupId: config.WRITER_GROUP_ID,
    topics: [topics.spans, topics.metrics, topics.datasets],
    gauge: telemetry.consumerLag,
    logger,
  });
  lag.start(config.LAG_POLL_MS);

  health.register('writer.consumer', () => loop.running && loop.stalledMs < 5_000);
  health.register('writer.clickhouse', () => clickhouseHealthy(clickhouse));
  health.register('writer.kafka', () => kafkaHealthy(admin));
  return {
    loop,
    telemetry,
    shutdownSteps: [
      { name: 'writer: stop measuring lag', run: async () => lag.stop() },
      { name: 'writer: stop consuming, write and commit the last batch', run: () => loop.stop() },
      { name: 'writer: disconnect producer', run: () => producer.disconnect() },
      { name: 'writer: disconnect Kafka admin', run: () => admin.disconnect() },
      { name: 'writer: close ClickHouse', run: () => clickhouse.close() },
    ],
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
