import type { Admin } from 'kafkajs';
import { z } from 'zod';
import { type TopicNames, topicNames } from '../../contracts/topics.js';
import { envBool, envInt } from '../config.js';
import { ensureTopics } from './client.js';
import { toKafkaAppError } from './errors.js';

const MiB = 1024 * 1024;

/**
 * The topics' settings, shared by every service that may create them: whichever starts first (the
 * writer, under `npm start`) creates them as configured, never with broker defaults.
 */
export const topicsEnvShape = {
  TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('tracehouse'),
  CREATE_TOPICS: envBool(true),
  SPANS_PARTITIONS: envInt(6, 1, 1024),
  METRICS_PARTITIONS: envInt(3, 1, 1024),
  SPAN_INDEX_PARTITIONS: envInt(3, 1, 1024),
  /** How long span-index entries stay on the topic (older lookups go to ClickHouse). */
  SPAN_INDEX_RETENTION_MS: envInt(60 * 60_000, 60_000, 7 * 24 * 60 * 60_000),
  /**
   * Largest record batch a data topic accepts. Kafka's default (1 MB) refuses realistic LLM spans and
   * produce batches; must hold a whole produce batch and the largest request body.
   */
  TOPIC_MAX_MESSAGE_BYTES: envInt(32 * MiB, MiB, 1_024 * MiB),
} as const;

export interface TopicsConfig {
  TOPIC_PREFIX: string;
  CREATE_TOPICS: boolean;
  SPANS_PARTITIONS: number;
  METRICS_PARTITIONS: number;
  SPAN_INDEX_PARTITIONS: number;
  SPAN_INDEX_RETENTION_MS: number;
  TOPIC_MAX_MESSAGE_BYTES: number;
}

/** Creates Tracehouse's topics when missing (unless CREATE_TOPICS=false) and returns their names. */
export async function ensureTracehouseTopics(admin: Admin, config: TopicsConfig): Promise<TopicNames> {
  const topics = topicNames(config.TOPIC_PREFIX);
  if (!config.CREATE_TOPICS) return topics;
  const large = [{ name: 'max.message.bytes', value: String(config.TOPIC_MAX_MESSAGE_BYTES) }];
  const data = (topic: string, numPartitions: number) => ({
    topic,
    numPartitions,
    replicationFactor: -1,
    configEntries: large,
  });
  await ensureTopics(admin, [
    data(topics.spans, config.SPANS_PARTITIONS),
    data(topics.metrics, config.METRICS_PARTITIONS),
    data(topics.datasets, config.METRICS_PARTITIONS),
    data(topics.deadLetter, 1),
    {
      topic: topics.spanIndex,
      numPartitions: config.SPAN_INDEX_PARTITIONS,
      replicationFactor: -1,
      configEntries: indexConfig(config),
    },
  ]);
  await raiseIndexMessageLimit(admin, topics.spanIndex, config);
  return topics;
}

/**
 * The index topic's settings. An index record carries every write of a request (docs/WRITE-PATH.md
 * §1), and a produce batch several of them, so it takes records as large as the data topics do.
 */
const indexConfig = (config: TopicsConfig) => [
  { name: 'cleanup.policy', value: 'compact,delete' },
  { name: 'retention.ms', value: String(config.SPAN_INDEX_RETENTION_MS) },
  { name: 'max.message.bytes', value: String(config.TOPIC_MAX_MESSAGE_BYTES) },
];

/** kafkajs' `ConfigResourceTypes.TOPIC` (not an ESM named export of the CommonJS package). */
const TOPIC_RESOURCE = 2;

/** An index topic created by an earlier version kept the broker's 1 MB limit: raise it (idempotent). */
async function raiseIndexMessageLimit(admin: Admin, topic: string, config: TopicsConfig): Promise<void> {
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['max.message.bytes'] }],
    });
    const current = Number(
      resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue,
    );
    if (current >= config.TOPIC_MAX_MESSAGE_BYTES) return;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: TOPIC_RESOURCE, name: topic, configEntries: indexConfig(config) }],
    });
  } catch (err) {
    throw toKafkaAppError(err, 'setting the span-index topic');
  }
}
