import { AppError, ErrorCodes } from '@tracehouse/shared';
import { toKafkaAppError } from '@tracehouse/shared/node';
import type { Producer } from 'kafkajs';
import type { OutRecord } from '../domain/produce-batcher.js';

/**
 * Sends one batch with acks from all in-sync replicas. The idempotent producer retries on its own for
 * a long time; past `timeoutMs` the request is failed (503, not acknowledged) so a dead broker shows
 * up as back-pressure instead of hung requests. A late success then only duplicates what the client
 * retries, which versions and ids make harmless.
 */
export function kafkaSender(producer: Producer, timeoutMs: number): (records: OutRecord[]) => Promise<void> {
  return async (records) => {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const { topic, key, value } of records) {
      const messages = byTopic.get(topic) ?? [];
      if (messages.length === 0) byTopic.set(topic, messages);
      messages.push({ key, value });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(ErrorCodes.KAFKA_UNAVAILABLE, 'Kafka did not acknowledge in time', {
              retryable: true,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([
        producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        }),
        timeout,
      ]);
    } catch (err) {
      throw toKafkaAppError(err, 'producing');
    } finally {
      clearTimeout(timer);
    }
  };
}
