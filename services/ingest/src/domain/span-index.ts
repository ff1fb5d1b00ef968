import { SpanIndexEntry } from '@tracehouse/shared';
import { type Logger, toKafkaAppError, withKafkaRetries } from '@tracehouse/shared/node';
import type { Admin, Consumer } from 'kafkajs';

export interface KnownSpan {
  traceId: string;
  name?: string;
  parentId?: string | null;
}

export interface SpanIndexOptions {
  topic: string;
  consumer: Consumer;
  admin: Admin;
  /** Spans older than what is in memory, found in ClickHouse. */
  lookupStored: (projectId: string, spanId: string) => Promise<KnownSpan | undefined>;
  logger: Logger;
  /** Entries kept in memory; the oldest go first. */
  maxEntries: number;
  /** How far back the topic is replayed on start. */
  replayMs: number;
  /** Longest wait for this process to catch up with the topic before falling back to ClickHouse. */
  catchUpTimeoutMs: number;
}

const keyOf = (projectId: string, spanId: string) => `${projectId}/${spanId}`;

/**
 * Span id → trace id for every span any ingest process acknowledged recently (docs/WRITE-PATH.md §2).
 * Each process consumes the whole `span-index` topic with a group of its own. A miss waits until this
 * process has read up to the topic's end offsets as of the moment of the miss, so a parent acknowledged
 * anywhere before its child arrived is found.
 */
export class SpanIndex {
  readonly #o: SpanIndexOptions;
  readonly #entries = new Map<string, KnownSpan | null>();
  /** Next offset to read, per partition. */
  readonly #positions = new Map<number, bigint>();
  #progress: (() => void)[] = [];
  #round: Promise<void> | undefined;
  #running = false;

  constructor(options: SpanIndexOptions) {
    if (options.maxEntries < 1) throw new Error('SpanIndex: maxEntries must be >= 1');
    this.#o = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    const { consumer, admin, topic } = this.#o;
    const since = Date.now() - this.#o.replayMs;
    const replayFrom = await withKafkaRetries('reading span-index offsets', () =>
      admin.fetchTopicOffsetsByTimestamp(topic, since),
    );
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (!message.value) continue;
          const parsed = SpanIndexEntry.safeParse(JSON.parse(String(message.value)));
          if (parsed.success) this.#apply(parsed.data);
        }
        if (batch.messages.length > 0) this.#positions.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
        for (const notify of this.#progress.splice(0)) notify();
      },
    });
    for (const { partition, offset } of replayFrom) {
      // kafkajs answers the high watermark for a partition with nothing newer than `since`.
      this.#positions.set(partition, BigInt(offset));
      consumer.seek({ topic, partition, offset });
    }
    this.#running = true;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#o.consumer.disconnect();
  }

  /** Records a span this process just wrote (its index entry travels to the others through Kafka). */
  remember(entry: SpanIndexEntry): void {
    this.#apply(entry);
  }

  async lookup(projectId: string, spanId: string): Promise<KnownSpan | undefined> {
    const key = keyOf(projectId, spanId);
    const local = this.#entries.get(key);
    if (local !== undefined) return local ?? undefined;
    await this.#catchUp();
    const caughtUp = this.#entries.get(key);
    if (caughtUp !== undefined) return caughtUp ?? undefined;
    return this.#o.lookupStored(projectId, spanId);
  }

  #apply(entry: SpanIndexEntry): void {
    const key = keyOf(entry.project_id, entry.span_id);
    this.#entries.delete(key); // re-insert at the end: eviction is oldest-written first
    this.#entries.set(
      key,
      entry.deleted ? null : { traceId: entry.trace_id, name: entry.name, parentId: entry.parent_id },
    );
    if (this.#entries.size > this.#o.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /**
   * Misses that arrive together share one round; a round reads end offsets only after its members
   * joined, so nothing acknowledged before a member's miss can be missed by it.
   */
  #catchUp(): Promise<void> {
    this.#round ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.#round = undefined;
      return this.#waitForEnd();
    });
    return this.#round;
  }

  async #waitForEnd(): Promise<void> {
    let ends: { partition: number; high: string; low: string }[];
    try {
      ends = await this.#o.admin.fetchTopicOffsets(this.#o.topic);
    } catch (err) {
      this.#o.logger.warn(
        { err: toKafkaAppError(err, 'reading span-index offsets') },
        'span index catch-up skipped',
      );
      return;
    }
    const deadline = Date.now() + this.#o.catchUpTimeoutMs;
    const behind = () =>
      ends.some(
        ({ partition, high, low }) => high !== low && (this.#positions.get(partition) ?? -1n) < BigInt(high),
      );
    while (behind()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#o.logger.warn({ topic: this.#o.topic }, 'span index still behind after catch-up timeout');
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#progress.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
