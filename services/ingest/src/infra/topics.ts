import { type TopicNames, topicNames } from '@tracehouse/shared';
import { ensureTopics } from '@tracehouse/shared/node';
import type { Admin } from 'kafkajs';
import type { IngestConfig } from '../config.js';

/** Creates the topics ingest writes to, when missing; partitions and retention from the config. */
export async function createTopics(admin: Admin, config: IngestConfig): Promise<TopicNames> {
  const topics = topicNames(config.TOPIC_PREFIX);
  if (!config.CREATE_TOPICS) return topics;
  await ensureTopics(admin, [
    { topic: topics.spans, numPartitions: config.SPANS_PARTITIONS, replicationFactor: -1 },
    { topic: topics.metrics, numPartitions: config.METRICS_PARTITIONS, replicationFactor: -1 },
    { topic: topics.datasets, numPartitions: config.METRICS_PARTITIONS, replicationFactor: -1 },
    {
      topic: topics.spanIndex,
      numPartitions: config.SPAN_INDEX_PARTITIONS,
      replicationFactor: -1,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact,delete' },
        { name: 'retention.ms', value: String(config.SPAN_INDEX_RETENTION_MS) },
      ],
    },
    { topic: topics.deadLetter, numPartitions: 1, replicationFactor: -1 },
  ]);
  return topics;
}
