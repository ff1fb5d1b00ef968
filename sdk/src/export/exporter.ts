import type { IngestItemInput, IngestItemResult } from '@tracehouse/shared';
import { TracehouseError } from '../errors.js';
import { backoffMs } from './backoff.js';

export interface ExporterOptions {
  /** Items held while waiting to be sent; beyond it new items are dropped and counted. */
  maxQueueItems?: number;
  /** Items per request (the server takes at most 1,000). */
  maxBatchItems?: number;
  /** Approximate JSON bytes per request. */
  maxBatchBytes?: number;
  /** A partly filled batch is sent after this long. */
  intervalMs?: number;
  /** Attempts per batch before it is dropped (counted). */
  maxAttempts?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Told about every drop: why and how many items. */
  onDrop?: (reason: string, items: number) => void;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  results: IngestItemResult[];
}

interface Queued {
  item: IngestItemInput;
  bytes: number;
  seq: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends spans and metrics in the background through `POST /v2/ingest`: batched by count, size and
 * time, one request in flight, retried with backoff on network errors, 429 and 5xx (honouring
 * `Retry-After`). Memory is bounded: past `maxQueueItems` new items are dropped and counted, never
 * held. Item ids are made client-side, so a retried batch creates nothing twice.
 */
export class BatchExporter {
  readonly #send: (items: IngestItemInput[]) => Promise<IngestResult>;
  readonly #o: Required<Omit<ExporterOptions, 'onDrop'>> & Pick<ExporterOptions, 'onDrop'>;
  readonly #queue: Queued[] = [];
  #seq = 0;
  /** Every item up to this sequence number is sent or dropped. */
  #done = 0;
  #dropped = 0;
  #pumping: Promise<void> | undefined;
  #waiters: { seq: number; resolve: () => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(send: (items: IngestItemInput[]) => Promise<IngestResult>, options: ExporterOptions = {}) {
    this.#send = send;
    this.#o = {
      maxQueueItems: options.maxQueueItems ?? 10_000,
      maxBatchItems: Math.min(options.maxBatchItems ?? 500, 1_000),
      maxBatchBytes: options.maxBatchBytes ?? 4 * 1024 * 1024,
      intervalMs: options.intervalMs ?? 1_000,
      maxAttempts: options.maxAttempts ?? 6,
      retryMinMs: options.retryMinMs ?? 200,
      retryMaxMs: options.retryMaxMs ?? 30_000,
      onDrop: options.onDrop,
    };
    if (this.#o.maxQueueItems < 1 || this.#o.maxBatchItems < 1 || this.#o.maxAttempts < 1) {
      throw new RangeError('exporter: queue, batch and attempts must be at least 1');
    }
  }

  /** Items dropped so far (queue full, a batch given up on, or refused by the server). */
  get droppedCount(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queues an item; false when it was dropped (queue full or exporter shut down). */
  enqueue(item: IngestItemInput): boolean {
    if (this.#closed || this.#queue.length >= this.#o.maxQueueItems) {
      this.#drop(this.#closed ? 'shut down' : 'queue full', 1);
      return false;
    }
    this.#queue.push({ item, bytes: JSON.stringify(item).length, seq: ++this.#seq });
    if (this.#queue.length >= this.#o.maxBatchItems) void this.#pump();
    else this.#schedule();
    return true;
  }

  /** Resolves once everything queued before the call is sent or dropped. */
  flush(): Promise<void> {
    const seq = this.#seq;
    if (this.#done >= seq) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#waiters.push({ seq, resolve }));
    void this.#pump();
    return done;
  }

  /** Sends what is queued, then refuses new items and stops its timer. */
  async shutdown(): Promise<void> {
    await this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#pump();
    }, this.#o.intervalMs);
    // Never keeps the process alive: call flush()/shutdown() before exiting to send the rest.
    this.#timer.unref?.();
  }

  #drop(reason: string, items: number): void {
    if (items <= 0) return;
    this.#dropped += items;
    this.#o.onDrop?.(reason, items);
  }

  #pump(): Promise<void> {
    this.#pumping ??= this.#drain().finally(() => {
      this.#pumping = undefined;
      if (this.#queue.length > 0) this.#schedule();
    });
    return this.#pumping;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#take();
      await this.#deliver(batch);
      this.#done = batch.at(-1)!.seq;
      this.#waiters = this.#waiters.filter((w) => {
        if (w.seq > this.#done) return true;
        w.resolve();
        return false;
      });
    }
  }

  #take(): Queued[] {
    let bytes = 0;
    let n = 0;
    while (n < this.#queue.length && n < this.#o.maxBatchItems) {
      bytes += this.#queue[n]!.bytes;
      if (n > 0 && bytes > this.#o.maxBatchBytes) break;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  async #deliver(batch: Queued[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.#send(batch.map((q) => q.item));
        // A refused item (4xx of its own) will be refused again: count it, do not retry it.
        this.#drop('refused by the server', result.rejected);
        return;
      } catch (err) {
        const retryable = !(err instanceof TracehouseError) || err.retryable;
        if (!retryable || attempt + 1 >= this.#o.maxAttempts) {
          this.#drop(
            retryable ? 'gave up after retries' : `refused: ${(err as Error).message}`,
            batch.length,
          );
          return;
        }
        const asked = err instanceof TracehouseError ? err.retryAfterSeconds : undefined;
        const backoff = backoffMs(attempt, this.#o.retryMinMs, this.#o.retryMaxMs);
        await sleep(Math.min(this.#o.retryMaxMs, Math.max(asked === undefined ? 0 : asked * 1000, backoff)));
      }
    }
  }
}
