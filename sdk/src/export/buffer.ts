/** One item waiting to be sent, already serialised. */
export interface Queued {
  /** The item's JSON, taken when it was queued: later changes to the caller's objects do not leak in. */
  json: string;
  bytes: number;
  /** Position in the order of arrival; `flush()` waits for a position. */
  seq: number;
}

/**
 * First in, first out, bounded in items and in bytes: `push` refuses rather than grows, so a dead
 * server costs at most the configured memory.
 */
export class BoundedBuffer {
  readonly #items: Queued[] = [];
  #bytes = 0;
  #seq = 0;

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.#items.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Sequence number of the last item accepted (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Queues `json`; undefined when the buffer is full (the caller counts the drop). */
  push(json: string): Queued | undefined {
    const bytes = Buffer.byteLength(json);
    if (this.#items.length >= this.maxItems || this.#bytes + bytes > this.maxBytes) return undefined;
    const queued = { json, bytes, seq: ++this.#seq };
    this.#items.push(queued);
    this.#bytes += bytes;
    return queued;
  }

  /** Removes the oldest items up to `maxItems` and about `maxBytes`; always at least one. */
  take(maxItems: number, maxBytes: number): Queued[] {
    let bytes = 0;
    let n = 0;
    while (n < this.#items.length && n < maxItems) {
      bytes += this.#items[n]!.bytes;
      // A lone item above the cap still goes, alone: the server decides (413 drops it).
      if (n > 0 && bytes > maxBytes) break;
      n++;
    }
    const batch = this.#items.splice(0, n);
    for (const q of batch) this.#bytes -= q.bytes;
    return batch;
  }
}
