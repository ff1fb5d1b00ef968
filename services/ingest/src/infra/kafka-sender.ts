import { AppError, ErrorCodes } from '@tracehouse/shared';
import { type Telemetry, toKafkaAppError } from '@tracehouse/shared/node';
import type { Producer } from 'kafkajs';
import type { OutRecord } from '../domain/produce-batcher.js';

/**
 * Sends one batch with acks from all in-sync replicas. The idempotent producer retries on its own for
 * a long time; past `timeoutMs` the request is failed (503, not acknowledged) so a dead broker shows
 * up as back-pressure instead of hung requests. A late success then only duplicates what the client
 * retries, which versions and ids make harmless.
 */
export function kafkaSender(
  producer: Producer,
  timeoutMs: number,
  telemetry?: Telemetry,
): (records: OutRecord[]) => Promise<void> {
  return async (records) => {
    const stopTimer = telemetry?.produceSeconds.startTimer();
    const byTopic = new Map<string, Pick<OutRecord, 'key' | 'value' | 'headers'>[]>();
    for (const { topic, key, value, headers } of records) {
      const messages = byTopic.get(topic) ?? [];
      if (messages.length === 0) byTopic.set(topic, messages);
      messages.push(headers ? { key, value, headers } : { key, value });
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
      stopTimer?.({ outcome: 'ok' });
      for (const [topic, messages] of byTopic) {
        // `<prefix>.spans` → spans: one label per kind, whatever the prefix.
        telemetry?.producedRecords.inc({ kind: topic.slice(topic.lastIndexOf('.') + 1) }, messages.length);
      }
    } catch (err) {
      stopTimer?.({ outcome: 'error' });
      throw toKafkaAppError(err, 'producing');
    } finally {
      clearTimeout(timer);
    }
  };
}
