import { AppError, ErrorCodes } from '@tracehouse/shared';

export interface OutRecord {
  topic: string;
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface ProduceBatcherOptions {
  /** Sends one batch and resolves once Kafka acknowledged all of it (acks=all). */
  send: (records: OutRecord[]) => Promise<void>;
  /** How long the first record of a batch waits for company. */
  lingerMs: number;
  /** A batch is sent as soon as it holds this many records... */
  maxBatchRecords: number;
  /** ...or this many bytes. */
  maxBatchBytes: number;
  /** Bytes accepted but not yet acknowledged; beyond it callers get back-pressure at once. */
  maxPendingBytes: number;
  /** Batches in flight at once (1 keeps the idempotent producer's ordering trivially safe). */
  maxInFlight: number;
  /**
   * Told the records of a batch Kafka acknowledged: every produce request holding them was written
   * and answered, so nothing reads their values again. A failed batch's are not told (a request of it
   * may still be on its way).
   */
  sent?: (records: OutRecord[]) => void;
}

interface Waiter {
  records: OutRecord[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const recordBytes = (r: OutRecord) => {
  let bytes = r.key.length + (typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length);
  bytes += r.topic.length;
  // Headers are part of what Kafka receives and bounds too.
  for (const [name, text] of Object.entries(r.headers ?? {})) bytes += name.length + Buffer.byteLength(text);
  return bytes;
};

/**
 * Coalesces the records of many concurrent requests into few Kafka sends, since kafkajs sends every
 * `send()` as its own request. A caller's records always travel in one batch, so a request is
 * acknowledged (or failed) as a whole.
 */
export class ProduceBatcher {
  readonly #options: ProduceBatcherOptions;
  #queue: Waiter[] = [];
  #queuedBytes = 0;
  #pendingBytes = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(options: ProduceBatcherOptions) {
    for (const key of [
      'lingerMs',
      'maxBatchRecords',
      'maxBatchBytes',
      'maxPendingBytes',
      'maxInFlight',
    ] as const) {
      if (!(options[key] >= (key === 'lingerMs' ? 0 : 1))) throw new Error(`ProduceBatcher: invalid ${key}`);
    }
    this.#options = options;
  }

  /** Bytes accepted and not yet acknowledged by Kafka. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  enqueue(records: OutRecord[]): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new AppError(ErrorCodes.SHUTTING_DOWN, 'shutting down', { retryable: true }));
    }
    const bytes = records.reduce((sum, r) => sum + recordBytes(r), 0);
    if (this.#pendingBytes > 0 && this.#pendingBytes + bytes > this.#options.maxPendingBytes) {
      return Promise.reject(
        new AppError(ErrorCodes.KAFKA_BACKPRESSURE, 'too much data waiting for Kafka; retry shortly', {
          retryable: true,
          details: { pendingBytes: this.#pendingBytes },
        }),
      );
    }
    this.#pendingBytes += bytes;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ records, bytes, resolve, reject });
      this.#queuedBytes += bytes;
      this.#schedule();
    });
  }

  /** Sends whatever is queued now and waits until nothing is queued or in flight. */
  async flush(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return;
    const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#drain();
    await idle;
  }

  /** Refuses new records, then flushes. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    const full =
      this.#queuedBytes >= this.#options.maxBatchBytes ||
      this.#queue.reduce((n, w) => n + w.records.length, 0) >= this.#options.maxBatchRecords;
    if (full || this.#options.lingerMs === 0) {
      this.#drain();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, this.#options.lingerMs);
  }

  #drain(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0 && this.#inFlight < this.#options.maxInFlight) {
      this.#sendOne(this.#takeBatch());
    }
    this.#maybeIdle();
  }

  #takeBatch(): Waiter[] {
    const batch: Waiter[] = [];
    let records = 0;
    let bytes = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      const fits =
        batch.length === 0 ||
        (records + next.records.length <= this.#options.maxBatchRecords &&
          bytes + next.bytes <= this.#options.maxBatchBytes);
      if (!fits) break;
      this.#queue.shift();
      batch.push(next);
      records += next.records.length;
      bytes += next.bytes;
    }
    this.#queuedBytes -= bytes;
    return batch;
  }

  #sendOne(batch: Waiter[]): void {
    this.#inFlight++;
    const records = batch.flatMap((w) => w.records);
    this.#options.send(records).then(
      () => {
        this.#options.sent?.(records);
        this.#settle(batch, undefined);
      },
      (err: unknown) => this.#settle(batch, err ?? new Error('send failed')),
    );
  }

  #settle(batch: Waiter[], err: unknown): void {
    this.#inFlight--;
    for (const waiter of batch) {
      this.#pendingBytes -= waiter.bytes;
      if (err === undefined) waiter.resolve();
      else waiter.reject(err);
    }
    // Whatever queued up meanwhile goes out now: it has already waited at least one round trip.
    if (this.#queue.length > 0) this.#drain();
    this.#maybeIdle();
  }

  #maybeIdle(): void {
    if (this.#queue.length > 0 || this.#inFlight > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
