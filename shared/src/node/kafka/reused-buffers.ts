/**
 * Large buffers handed out and taken back for reuse, instead of a new one each time. Node counts
 * every buffer of 4 KiB or more as external memory, and V8 collects garbage after every few tens of
 * MiB of it, however little of it is still in use: ingest made three buffers the size of every span
 * it sent (the request body, the record, the produce request), and ran a collection about every
 * 30 MiB of them (docs/WRITE-PATH.md §1). A buffer comes back only when its one user says it is done
 * with it (`giveBack`); one never given back is left to the collector, never handed out under a
 * reader.
 */
export class ReusedBuffers {
  /** Free buffers by capacity (`capacityFor`), each its own allocation. */
  readonly #free = new Map<number, Buffer[]>();
  #freeBytes = 0;
  /** Lent views, by the memory they share, to the whole buffer each came from. */
  readonly #lent = new WeakMap<ArrayBufferLike, Buffer>();

  constructor(
    /** Smaller buffers are ordinary ones (Node pools those under 4 KiB; these are few). */
    readonly minBytes = 16 * 1024,
    /** Free buffers kept at most, in bytes; past it a buffer given back is left to the collector. */
    readonly maxFreeBytes = 32 * 1024 * 1024,
  ) {}

  /** A buffer of exactly `size` bytes, uninitialised. */
  take(size: number): Buffer {
    if (size < this.minBytes) return Buffer.allocUnsafe(size);
    const capacity = capacityFor(size);
    let whole = this.#free.get(capacity)?.pop();
    if (whole) this.#freeBytes -= capacity;
    else whole = Buffer.allocUnsafeSlow(capacity);
    this.#lent.set(whole.buffer, whole);
    return whole.subarray(0, size);
  }

  /** Whether `chunk` is a view of a buffer lent and not given back yet. */
  lent(chunk: unknown): chunk is Uint8Array {
    return chunk instanceof Uint8Array && this.#lent.has(chunk.buffer);
  }

  /** Told its user is done with `chunk`: if it is one of ours, its buffer is free again. */
  giveBack(chunk: Uint8Array): void {
    const whole = this.#lent.get(chunk.buffer);
    if (!whole) return;
    this.#lent.delete(chunk.buffer);
    if (this.#freeBytes + whole.length > this.maxFreeBytes) return;
    this.#freeBytes += whole.length;
    const bucket = this.#free.get(whole.length);
    if (bucket) bucket.push(whole);
    else this.#free.set(whole.length, [whole]);
  }
}

/** Sizes in four steps per doubling (1, 1.25, 1.5, 1.75 times a power of two): at most a fifth unused. */
export function capacityFor(size: number): number {
  const power = 2 ** Math.floor(Math.log2(Math.max(size, 4)));
  const step = power / 4;
  return Math.ceil(size / step) * step;
}

/** Whole Kafka requests, given back by the socket once written (`framedSocketFactory`). */
export const requestBuffers = new ReusedBuffers();
