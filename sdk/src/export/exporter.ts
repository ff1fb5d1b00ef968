import type { IngestItemInput, IngestItemResult } from '@tracehouse/shared';
import { TracehouseError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { retryDelayMs } from './backoff.js';
import { BoundedBuffer, type Queued } from './buffer.js';

export interface ExporterOptions {
  /** Items held while waiting to be sent (default 10,000); beyond it new items are dropped and counted. */
  maxQueueItems?: number;
  /** Bytes of JSON held while waiting (default 64 MiB); beyond it new items are dropped and counted. */
  maxQueueBytes?: number;
  /** Items per request (default 500; the server takes at most 1,000). */
  maxBatchItems?: number;
  /** JSON bytes per request (default 4 MiB; the server's body limit is 16 MiB). */
  maxBatchBytes?: number;
  /** A partly filled batch is sent after this long (default 1 s). */
  intervalMs?: number;
  /** Attempts per batch before it is dropped and counted (default 6). */
  maxAttempts?: number;
  /** First retry delay (default 200 ms); doubles per attempt, with jitter. */
  retryMinMs?: number;
  /** Longest wait between attempts, `Retry-After` included (default 30 s). */
  retryMaxMs?: number;
  /** Told about every drop. Runs in the exporter: keep it quick, it must not throw. */
  onDrop?: (event: DropEvent) => void;
}

/** Why items were dropped: stable values to branch on. */
export const DropReasons = {
  /** The buffer was full (the server is slow or unreachable). */
  QUEUE_FULL: 'queue_full',
  /** Enqueued after `shutdown()`. */
  SHUT_DOWN: 'shut_down',
  /** The item could not be turned into JSON (a cycle, a BigInt). */
  UNSERIALIZABLE: 'unserializable',
  /** Network errors, 429 or 5xx on every attempt. */
  RETRIES_EXHAUSTED: 'retries_exhausted',
  /** The server refused the whole request (a 4xx other than 408/429) or single items in it. */
  REFUSED: 'refused',
} as const;
export type DropReason = (typeof DropReasons)[keyof typeof DropReasons];

export interface DropEvent {
  reason: DropReason;
  items: number;
  /** The request's error, for a batch dropped as a whole. */
  error?: Error;
  /** The per-item results the server refused (`{index, status, error}`), for `refused` items. */
  results?: IngestItemResult[];
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  results: IngestItemResult[];
}

/** Sends one batch: `items` are the items' JSON texts, in order. */
export type SendBatch = (items: string[]) => Promise<IngestResult>;

/**
 * Sends spans and metrics in the background through `POST /v2/ingest`: batched by count, size and
 * time, retried with backoff on network errors, 429 and 5xx (honouring `Retry-After`). Memory is
 * bounded: past `maxQueueItems`/`maxQueueBytes` new items are dropped and counted, never held. Item ids
 * are made client-side, so a retried batch creates nothing twice.
 *
 * One batch is in flight at a time, on purpose: order matters (a metric must reach the server after
 * its span, or it is refused as "span not found"), and batches of hundreds already carry the load.
 */
export class BatchExporter {
  readonly #send: SendBatch;
  readonly #o: Required<Omit<ExporterOptions, 'onDrop'>>;
  readonly #onDrop: ((event: DropEvent) => void) | undefined;
  readonly #logger: Logger;
  readonly #buffer: BoundedBuffer;
  /** Every item up to this sequence number is sent or dropped. */
  #done = 0;
  #dropped = 0;
  /** The buffer refused the last item: logged once, not once per span. */
  #full = false;
  #pumping: Promise<void> | undefined;
  #waiters: { seq: number; resolve: () => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(send: SendBatch, options: ExporterOptions = {}, logger: Logger = silentLogger) {
    this.#send = send;
    this.#o = {
      maxQueueItems: options.maxQueueItems ?? 10_000,
      maxQueueBytes: options.maxQueueBytes ?? 64 * 1024 * 1024,
      maxBatchItems: Math.min(options.maxBatchItems ?? 500, 1_000),
      maxBatchBytes: options.maxBatchBytes ?? 4 * 1024 * 1024,
      intervalMs: options.intervalMs ?? 1_000,
      maxAttempts: options.maxAttempts ?? 6,
      retryMinMs: options.retryMinMs ?? 200,
      retryMaxMs: options.retryMaxMs ?? 30_000,
    };
    for (const [key, value] of Object.entries(this.#o)) {
      const least = key === 'intervalMs' || key.startsWith('retry') ? 0 : 1;
      if (!Number.isFinite(value) || value < least) {
        throw new RangeError(`exporter: ${key} must be a number >= ${least}, got ${value}`);
      }
    }
    this.#onDrop = options.onDrop;
    this.#logger = logger;
    this.#buffer = new BoundedBuffer(this.#o.maxQueueItems, this.#o.maxQueueBytes);
  }

  /** Items dropped so far (buffer full, refused by the server, or given up on after retries). */
  get droppedCount(): number {
    return this.#dropped;
  }

  /** Items waiting to be sent (the batch in flight excluded). */
  get queued(): number {
    return this.#buffer.length;
  }

  /** Queues an item; false when it was dropped (buffer full, unserialisable, or shut down). */
  enqueue(item: IngestItemInput): boolean {
    if (this.#closed) return this.#reject(DropReasons.SHUT_DOWN);
    let json: string;
    try {
      json = JSON.stringify(item);
    } catch (err) {
      // Tracing must never break the traced code: a span whose output cannot be encoded is dropped.
      return this.#reject(DropReasons.UNSERIALIZABLE, err as Error);
    }
    if (!this.#buffer.push(json)) return this.#reject(DropReasons.QUEUE_FULL);
    this.#full = false;
    if (this.#buffer.length >= this.#o.maxBatchItems || this.#buffer.bytes >= this.#o.maxBatchBytes) {
      void this.#pump();
    } else this.#schedule();
    return true;
  }

  /** Resolves once everything queued before the call is sent or dropped. */
  flush(): Promise<void> {
    const seq = this.#buffer.lastSeq;
    if (this.#done >= seq) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#waiters.push({ seq, resolve }));
    // Someone now waits for delivery: a retry pause must keep the process alive until it is done.
    this.#retryTimer?.ref();
    void this.#pump();
    return done;
  }

  /** Sends what is queued, then refuses new items and stops its timer. */
  async shutdown(): Promise<void> {
    await this.flush();
    this.#closed = true;
    // Spans that ended while the first flush ran were accepted: send them too.
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#pump();
    }, this.#o.intervalMs);
    // Never keeps the process alive on its own: flush()/shutdown() before exiting sends the rest.
    this.#timer.unref();
  }

  #reject(reason: DropReason, error?: Error): false {
    // While the buffer stays full, log once per episode rather than once per span.
    const quiet = reason === DropReasons.QUEUE_FULL && this.#full;
    if (reason === DropReasons.QUEUE_FULL) this.#full = true;
    this.#drop({ reason, items: 1, ...(error ? { error } : {}) }, quiet);
    return false;
  }

  #drop(event: DropEvent, quiet = false): void {
    if (event.items <= 0) return;
    this.#dropped += event.items;
    if (!quiet) {
      const { error, ...rest } = event;
      this.#logger.warn(
        { ...rest, ...(error ? { err: error } : {}), dropped_total: this.#dropped },
        'tracehouse: items dropped',
      );
    }
    try {
      this.#onDrop?.(event);
    } catch (err) {
      this.#logger.error({ err }, 'tracehouse: onDrop threw');
    }
  }

  #pump(): Promise<void> {
    this.#pumping ??= this.#drain().finally(() => {
      this.#pumping = undefined;
      if (this.#buffer.length > 0) this.#schedule();
    });
    return this.#pumping;
  }

  async #drain(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.take(this.#o.maxBatchItems, this.#o.maxBatchBytes);
      await this.#deliver(batch);
      this.#done = batch.at(-1)!.seq;
      this.#waiters = this.#waiters.filter((w) => {
        if (w.seq > this.#done) return true;
        w.resolve();
        return false;
      });
    }
  }

  async #deliver(batch: Queued[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.#send(batch.map((q) => q.json));
        // An item refused on its own (404/422) would be refused again: count it, do not retry it.
        const refused = result.results.filter((r) => r.status >= 400);
        this.#drop({ reason: DropReasons.REFUSED, items: result.rejected, results: refused });
        return;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (err instanceof TracehouseError && err.status === 413 && batch.length > 1) {
          // Too large for the server's body limit: halves will fit (or the lone culprit is dropped).
          const half = Math.ceil(batch.length / 2);
          await this.#deliver(batch.slice(0, half));
          await this.#deliver(batch.slice(half));
          return;
        }
        const retryable = !(err instanceof TracehouseError) || err.retryable;
        if (!retryable || attempt + 1 >= this.#o.maxAttempts) {
          const reason = retryable ? DropReasons.RETRIES_EXHAUSTED : DropReasons.REFUSED;
          this.#drop({ reason, items: batch.length, error });
          return;
        }
        const delayMs = retryDelayMs(err, attempt, this.#o.retryMinMs, this.#o.retryMaxMs);
        this.#logger.warn(
          { err: error, attempt: attempt + 1, items: batch.length, retry_in_ms: delayMs },
          'tracehouse: export failed, retrying',
        );
        await this.#pause(delayMs);
      }
    }
  }

  /** A retry pause that holds the process open only while someone awaits `flush()`. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        resolve();
      }, ms);
      if (this.#waiters.length === 0) this.#retryTimer.unref();
    });
  }
}
