import { KeptRunning, type Logger, restartedByCaller, toKafkaAppError } from '@tracehouse/shared/node';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { StreamEvent, StreamPosition } from '../domain/aggregator.js';
import { decodeMessages } from './stream-records.js';

export interface KafkaEventSourceOptions {
  kafka: Kafka;
  admin: Admin;
  /** Topics with span or metric events; a record holds one event or an array of them. */
  topics: string[];
  /** This process's own group: every alerter reads every partition (docs/ALERTS.md). */
  groupId: string;
  sink: (events: StreamEvent[], position: StreamPosition) => Promise<void>;
  /** Whether any rule needs a project's events; records of other projects are skipped unread. */
  wanted: (projectId: string) => boolean;
  /** Told after each batch how many messages of its partition are still unread. */
  onLag?: (topic: string, partition: number, lag: number) => void;
  logger: Logger;
}

/**
 * The thin adapter from Kafka to the aggregator: replays the topics from a point in time (windows are
 * rebuilt on start by replaying) and follows them. Never commits: where to start is a time, not an
 * offset. `caughtUp` resolves once it has read up to the ends the topics had at start.
 */
export class KafkaEventSource {
  readonly #o: KafkaEventSourceOptions;
  readonly #consumer: Consumer;
  /** Per `topic:partition`: the offset one past the last record it had at start. */
  readonly #ends = new Map<string, bigint>();
  /** Per `topic:partition`: where reading goes on (the replay start, then one past each batch read). */
  readonly #positions = new Map<string, { topic: string; partition: number; offset: string }>();
  #kept: KeptRunning | undefined;
  #markCaughtUp!: () => void;
  readonly caughtUp = new Promise<void>((resolve) => {
    this.#markCaughtUp = resolve;
  });
  unparsable = 0;
  /** Records skipped unread: their project has no rule. */
  skipped = 0;

  constructor(options: KafkaEventSourceOptions) {
    this.#o = options;
    this.#consumer = options.kafka.consumer(
      restartedByCaller({ groupId: options.groupId, maxWaitTimeInMs: 100 }),
    );
  }

  async start(replayFromMs: number): Promise<void> {
    try {
      for (const topic of this.#o.topics) {
        for (const p of await this.#o.admin.fetchTopicOffsets(topic)) {
          this.#ends.set(`${topic}:${p.partition}`, BigInt(p.high));
        }
        for (const p of await this.#o.admin.fetchTopicOffsetsByTimestamp(topic, replayFromMs)) {
          this.#positions.set(`${topic}:${p.partition}`, { topic, partition: p.partition, offset: p.offset });
          if (BigInt(p.offset) >= this.#ends.get(`${topic}:${p.partition}`)!)
            this.#ends.delete(`${topic}:${p.partition}`);
        }
      }
      for (const topic of this.#o.topics) await this.#consumer.subscribe({ topic, fromBeginning: false });
      // Nothing is committed, so a consumer restarted after a crash must be told where it was.
      this.#kept = await KeptRunning.start(
        this.#consumer,
        { autoCommit: false, eachBatchAutoResolve: true, eachBatch: (payload) => this.#eachBatch(payload) },
        {
          logger: this.#o.logger,
          afterRun: () => {
            for (const position of this.#positions.values()) this.#consumer.seek(position);
          },
        },
      );
    } catch (err) {
      throw toKafkaAppError(err, 'starting the alerter stream');
    }
    this.#o.logger.info(
      { replayFrom: new Date(replayFromMs).toISOString(), partitions: this.#positions.size },
      'replaying',
    );
    this.#checkCaughtUp();
  }

  async #eachBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const { events, unparsable, skipped } = decodeMessages(batch.messages, this.#o.wanted);
    this.unparsable += unparsable;
    this.skipped += skipped;
    await this.#o.sink(events, {
      source: batch.topic,
      partition: batch.partition,
      offset: batch.lastOffset(),
    });
    this.#o.onLag?.(batch.topic, batch.partition, Math.max(0, Number(batch.offsetLag())));
    const key = `${batch.topic}:${batch.partition}`;
    const next = BigInt(batch.lastOffset()) + 1n;
    this.#positions.set(key, { topic: batch.topic, partition: batch.partition, offset: next.toString() });
    const end = this.#ends.get(key);
    if (end !== undefined && next >= end) {
      this.#ends.delete(key);
      this.#checkCaughtUp();
    }
    await heartbeat();
  }

  #checkCaughtUp(): void {
    if (this.#ends.size === 0) this.#markCaughtUp();
  }

  async stop(): Promise<void> {
    await this.#kept?.stop();
    await this.#consumer.disconnect();
  }
}
