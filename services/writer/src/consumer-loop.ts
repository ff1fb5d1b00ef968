import { AppError, ErrorCodes } from '@tracehouse/shared';
import { ioHeaderText, KeptRunning, type Logger, toKafkaAppError } from '@tracehouse/shared/node';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { backoffMs } from './domain/backoff.js';
import { type BatchBuffer, commitOffsets, type Pending } from './domain/batch-buffer.js';
import type { BatchResult } from './domain/batch-writer.js';

export interface ConsumerLoopOptions {
  /** Built with `restartedByCaller`: the loop restarts it after a crash. */
  consumer: Consumer;
  topics: string[];
  buffer: BatchBuffer;
  write: (items: Pending[]) => Promise<BatchResult>;
  /** Runs on each message as it is consumed (decoding it while its batch waits for its delay), while
   * the short delay applies; in the longer one the message is left to its write (see #eachBatch). */
  prepare?: (item: Pending) => void;
  logger: Logger;
  retryMinMs: number;
  retryMaxMs: number;
  /** How often a partly filled batch is checked for its deadline (20 ms by default: a batch waits its
   * delay plus up to one tick, and each check is a comparison of two times). */
  tickMs?: number;
  onBatch?: (result: BatchResult, items: number, ms: number, delay: BatchBuffer['delayMode']) => void;
  /** Told how many messages the batch holds after each fetch and each take. */
  onBuffered?: (messages: number) => void;
  /** Called when the group (re)assigns partitions, before any batch of the new assignment. */
  onAssignment?: () => void;
  /** A batch that failed this many times in a row for a reason retrying cannot fix is given up... */
  maxFailedAttempts?: number;
  /** ...to this (the dead-letter topic), then committed. Retryable failures are retried forever. */
  giveUp?: (items: Pending[], err: AppError) => Promise<void>;
}

/** An error for the log: code and details, never a server's text (which can quote payloads). */
const describe = (err: unknown) =>
  err instanceof AppError ? { code: err.code, retryable: err.retryable, details: err.details } : err;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consumes, batches and writes, committing offsets only after the write succeeded. While a write
 * fails (ClickHouse down), consumption pauses and the write is retried with backoff until it
 * succeeds: nothing is dropped and nothing is committed early.
 */
export class ConsumerLoop {
  readonly #o: ConsumerLoopOptions;
  #flushing: Promise<void> = Promise.resolve();
  /** A deadline flush is queued and has not taken its batch yet: one at a time, so a slow write is
   * followed by one batch of what arrived meanwhile, not by a flush per timer tick. */
  #dueQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: (() => Promise<void>) | undefined;
  #running = false;
  #kept: KeptRunning | undefined;
  #stopping = false;
  #inBatch: Promise<void> = Promise.resolve();
  #stalledSince: number | undefined;

  constructor(options: ConsumerLoopOptions) {
    if (options.retryMinMs < 1 || options.retryMaxMs < options.retryMinMs)
      throw new Error('ConsumerLoop: bad retry bounds');
    this.#o = options;
  }

  /** Started, not stopped, and not crashed out of the group. */
  get running(): boolean {
    return this.#running && !this.#kept?.down;
  }

  /** Milliseconds the current batch has been failing to write; 0 when writes go through. */
  get stalledMs(): number {
    return this.#stalledSince === undefined ? 0 : Date.now() - this.#stalledSince;
  }

  async start(): Promise<void> {
    const { consumer, buffer } = this.#o;
    for (const topic of this.#o.topics) await consumer.subscribe({ topic, fromBeginning: true });
    // Another writer may have written a trace while its partition was away: forget what we held, and
    // drop what was consumed but not yet written. Those records are not committed, so whoever owns
    // their partitions now reads them again from the committed offset (kafkajs restarts every assigned
    // partition there after a rebalance). Writing them later would apply an old stretch of the log on
    // top of rows the new owner already wrote past it, and could undo an acknowledged write.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      const dropped = buffer.discard();
      if (dropped > 0)
        this.#o.logger.info({ records: dropped }, 'partitions reassigned; unwritten records dropped');
      this.#o.onBuffered?.(0);
      this.#o.onAssignment?.();
    });
    this.#kept = await KeptRunning.start(
      consumer,
      {
        autoCommit: false,
        // Resolving only moves the fetch position; offsets are committed by #flush after the write.
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: ({ batch, heartbeat }) => {
          const work = this.#eachBatch(batch, heartbeat);
          this.#inBatch = work.catch(() => {});
          return work;
        },
      },
      { logger: this.#o.logger },
    );
    this.#running = true;
    this.#timer = setInterval(() => {
      if (this.#dueQueued || !buffer.due()) return;
      this.#dueQueued = true;
      this.#flushing = this.#flushing.then(() => {
        this.#dueQueued = false;
        return this.#flushOnce();
      });
    }, this.#o.tickMs ?? 20);
  }

  async #eachBatch(batch: EachBatchPayload['batch'], heartbeat: () => Promise<void>): Promise<void> {
    const { buffer } = this.#o;
    // Stopping: leave the batch unresolved and uncommitted; the next owner reads it again.
    if (this.#stopping) return;
    this.#heartbeat = heartbeat;
    // Preparing on arrival takes the work off the path to visibility, which matters while the short
    // delay applies. Behind or saturated, batches wait longer, and a record prepared seconds before
    // its write kept its decoded objects through the collector's young generation, which copied and
    // promoted them: the writer alone spent 106–117 µs of CPU per realistic span so, 95–104 without
    // (`npm run bench:writer`, docs/BENCHMARKS.md).
    const prepare = buffer.delayMode === 'short' ? this.#o.prepare : undefined;
    for (const m of batch.messages) {
      const io = ioHeaderText(m.headers);
      const item: Pending = {
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key ? m.key.toString('utf8') : null,
        value: m.value,
        ...(io === undefined ? {} : { io }),
      };
      prepare?.(item);
      buffer.add(item);
    }
    const newest = batch.messages.at(-1);
    const newestAgeMs = newest ? Date.now() - Number(newest.timestamp) : 0;
    buffer.noteFetch(batch.topic, batch.partition, Number(batch.offsetLag()), newestAgeMs);
    this.#o.onBuffered?.(buffer.size);
    // A full buffer waits for its write, which holds back fetching: memory stays bounded.
    if (buffer.full()) await this.flush();
  }

  /** Writes whatever is buffered (after any write in progress) and commits it. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const delay = this.#o.buffer.delayMode;
    const items = this.#o.buffer.take();
    if (items.length === 0) return;
    this.#o.onBuffered?.(0);
    await this.#writeInHalves(items, delay);
  }

  /**
   * Writes and commits the items; when what they need to read is over the writer's bound, writes the
   * first half, commits it, then the second. Items keep their consumption order, so each half holds a
   * prefix of every partition's messages and its commit skips nothing.
   */
  async #writeInHalves(items: Pending[], delay: BatchBuffer['delayMode']): Promise<void> {
    const started = Date.now();
    let result: BatchResult | undefined;
    try {
      result = await this.#writeUntilDone(items);
    } catch (err) {
      if (!AppError.is(err, ErrorCodes.BATCH_TOO_LARGE)) throw err;
      this.#o.logger.warn({ records: items.length }, 'batch reads more than its bound; writing it in halves');
      const mid = Math.ceil(items.length / 2);
      await this.#writeInHalves(items.slice(0, mid), delay);
      await this.#writeInHalves(items.slice(mid), delay);
      return;
    }
    await this.#commit(items);
    const ms = Date.now() - started;
    this.#o.buffer.noteWrite(started, ms);
    if (result) this.#o.onBatch?.(result, items.length, ms, delay);
  }

  async #writeUntilDone(items: Pending[]): Promise<BatchResult | undefined> {
    let permanentFailures = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.#o.write(items);
        if (this.#stalledSince !== undefined) {
          this.#o.logger.info({ stalledMs: this.stalledMs, attempts: attempt }, 'writes resumed');
          this.#stalledSince = undefined;
          this.#resume();
        }
        return result;
      } catch (err) {
        // Too much to read at once: the caller splits the batch (one record alone is retried and, past
        // the attempts, dead-lettered like any failure retrying cannot fix).
        if (AppError.is(err, ErrorCodes.BATCH_TOO_LARGE) && items.length > 1) throw err;
        this.#stalledSince ??= Date.now();
        if (attempt === 0) this.#pause();
        const wait = backoffMs(attempt, this.#o.retryMinMs, this.#o.retryMaxMs);
        const retryable = !(err instanceof AppError) || err.retryable;
        permanentFailures = retryable ? 0 : permanentFailures + 1;
        this.#o.logger[retryable ? 'warn' : 'error'](
          { err: describe(err), attempt, waitMs: wait, rows: items.length },
          'batch write failed; retrying',
        );
        if (
          !retryable &&
          this.#o.giveUp &&
          permanentFailures >= (this.#o.maxFailedAttempts ?? Number.POSITIVE_INFINITY)
        ) {
          // Kept in the dead-letter topic with its reason; nothing acknowledged is silently dropped.
          await this.#o.giveUp(items, err as AppError);
          this.#stalledSince = undefined;
          this.#resume();
          return undefined;
        }
        await sleep(wait);
        await this.#heartbeat?.().catch(() => {});
      }
    }
  }

  async #commit(items: Pending[]): Promise<void> {
    try {
      await this.#o.consumer.commitOffsets(commitOffsets(items));
    } catch (err) {
      // After a rebalance the new owner re-reads these messages; rewriting them is harmless.
      this.#o.logger.warn({ err: toKafkaAppError(err, 'committing offsets') }, 'offset commit failed');
    }
  }

  #pause(): void {
    this.#o.consumer.pause(this.#o.topics.map((topic) => ({ topic })));
  }

  #resume(): void {
    this.#o.consumer.resume(this.#o.topics.map((topic) => ({ topic })));
  }

  /**
   * Stop fetching → write and commit what was consumed → leave the group. Commits need a running
   * consumer, so the group is left only after the last commit.
   */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopping = true;
    this.#pause();
    await this.#inBatch;
    await this.flush();
    this.#running = false;
    await this.#kept?.stop();
    await this.#o.consumer.disconnect();
  }
}
