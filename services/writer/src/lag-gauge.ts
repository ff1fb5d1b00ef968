import type { Logger } from '@tracehouse/shared/node';
import { toKafkaAppError } from '@tracehouse/shared/node';
import type { Admin } from 'kafkajs';
import type { Gauge } from 'prom-client';

/**
 * Consumer lag per topic (end offsets minus the group's committed offsets), refreshed on a timer for
 * `/metrics`. Committed offsets move only after ClickHouse confirmed a batch, so this is exactly what
 * is acknowledged but not yet stored.
 */
export class LagGauge {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: {
      admin: Admin;
      groupId: string;
      topics: string[];
      gauge: Gauge<'topic'>;
      logger: Logger;
    },
  ) {}

  start(everyMs: number): void {
    this.#timer = setInterval(() => void this.refresh(), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async refresh(): Promise<void> {
    try {
      const committed = await this.o.admin.fetchOffsets({ groupId: this.o.groupId, topics: this.o.topics });
      for (const { topic, partitions } of committed) {
        const ends = await this.o.admin.fetchTopicOffsets(topic);
        const end = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
        let lag = 0n;
        for (const { partition, offset } of partitions) {
          const high = end.get(partition) ?? 0n;
          // -1: nothing committed yet, so everything on the partition is behind.
          const done =
            offset === '-1'
              ? BigInt(ends.find((e) => e.partition === partition)?.low ?? '0')
              : BigInt(offset);
          if (high > done) lag += high - done;
        }
        this.o.gauge.set({ topic }, Number(lag));
      }
    } catch (err) {
      this.o.logger.debug({ err: toKafkaAppError(err, 'reading consumer lag') }, 'lag refresh failed');
    }
  }
}
