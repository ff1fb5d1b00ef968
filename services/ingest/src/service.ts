import type { TopicNames } from '@tracehouse/shared';
import { ReusedBuffers, type ShutdownStep, type Telemetry } from '@tracehouse/shared/node';
import { type Kafka, Partitioners } from 'kafkajs';
import { ProduceBatcher } from './domain/produce-batcher.js';
import type { VersionClock } from './domain/version-clock.js';
import { WriteService, type WriteServiceDeps } from './domain/write-service.js';
import { kafkaSender } from './infra/kafka-sender.js';

/** The produce settings the write side takes from its process's config. */
export interface WriteSideSettings {
  PRODUCE_LINGER_MS: number;
  PRODUCE_MAX_BATCH_RECORDS: number;
  PRODUCE_MAX_BATCH_BYTES: number;
  PRODUCE_MAX_PENDING_BYTES: number;
  PRODUCE_MAX_IN_FLIGHT: number;
  PRODUCE_TIMEOUT_MS: number;
  IO_MAX_BYTES: number;
}

export interface WriteSide {
  writes: WriteService;
  /** In order: send everything accepted, then disconnect the producer. */
  shutdownSteps: ShutdownStep[];
}

/**
 * Ingest's write side: a producer, its batcher and the write service. What it needs from elsewhere
 * (the span index, reads of stored spans, metrics and dataset entries) arrives as functions, so ingest
 * depends on no other service.
 */
export async function startWriteSide(options: {
  settings: WriteSideSettings;
  kafka: Kafka;
  topics: TopicNames;
  telemetry: Telemetry;
  index: WriteServiceDeps['index'];
  /** Shared with the span index, which makes it observe every acknowledged version (VersionClock). */
  clock: VersionClock;
  /** This process's id on its index records (the index skips its own). */
  origin: string;
  lookups: Pick<WriteServiceDeps, 'findMetric' | 'findSpanContent' | 'findDatasetName' | 'findDatasetEntry'>;
}): Promise<WriteSide> {
  const { settings } = options;
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: settings.PRODUCE_MAX_IN_FLIGHT,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  // Trace records' values: most of the bytes ingest sends, reused once Kafka has them.
  const recordBuffers = new ReusedBuffers();
  const batcher = new ProduceBatcher({
    send: kafkaSender(producer, settings.PRODUCE_TIMEOUT_MS, options.telemetry),
    lingerMs: settings.PRODUCE_LINGER_MS,
    maxBatchRecords: settings.PRODUCE_MAX_BATCH_RECORDS,
    maxBatchBytes: settings.PRODUCE_MAX_BATCH_BYTES,
    maxPendingBytes: settings.PRODUCE_MAX_PENDING_BYTES,
    maxInFlight: settings.PRODUCE_MAX_IN_FLIGHT,
    sent: (records) => {
      for (const r of records) if (typeof r.value !== 'string') recordBuffers.giveBack(r.value);
    },
  });
  const writes = new WriteService({
    topics: options.topics,
    clock: options.clock,
    origin: options.origin,
    produce: (records) => batcher.enqueue(records),
    allocateRecord: (size) => recordBuffers.take(size),
    index: options.index,
    ...options.lookups,
    ioMaxBytes: settings.IO_MAX_BYTES,
  });
  return {
    writes,
    shutdownSteps: [
      { name: 'ingest: send everything accepted', run: () => batcher.close() },
      { name: 'ingest: disconnect producer', run: () => producer.disconnect() },
    ],
  };
}
