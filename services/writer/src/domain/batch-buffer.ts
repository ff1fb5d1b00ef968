/** A consumed message waiting to be written, with where it came from (for commits and dead letters). */
export interface Pending {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

export interface BatchLimits {
  maxRows: number;
  maxBytes: number;
  maxDelayMs: number;
}

/** Collects messages until a batch is full by rows or bytes, or its oldest message has waited long enough. */
export class BatchBuffer {
  #items: Pending[] = [];
  #bytes = 0;
  #firstAt: number | undefined;

  constructor(
    private readonly limits: BatchLimits,
    private readonly now: () => number = Date.now,
  ) {
    if (limits.maxRows < 1 || limits.maxBytes < 1 || limits.maxDelayMs < 0)
      throw new Error('BatchBuffer: invalid limits');
  }

  get size(): number {
    return this.#items.length;
  }

  add(item: Pending): void {
    this.#firstAt ??= this.now();
    this.#items.push(item);
    this.#bytes += (item.value?.length ?? 0) + (item.key?.length ?? 0);
  }

  full(): boolean {
    return this.#items.length >= this.limits.maxRows || this.#bytes >= this.limits.maxBytes;
  }

  due(): boolean {
    return (
      this.#firstAt !== undefined && (this.full() || this.now() - this.#firstAt >= this.limits.maxDelayMs)
    );
  }

  take(): Pending[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#firstAt = undefined;
    return items;
  }
}

/** The offsets to commit after a batch is written: the next offset of each partition it touched. */
export function commitOffsets(items: Pending[]): { topic: string; partition: number; offset: string }[] {
  const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const { topic, partition, offset } of items) {
    const key = `${topic}\u0000${partition}`;
    const candidate = BigInt(offset) + 1n;
    const current = next.get(key);
    if (!current || candidate > current.offset) next.set(key, { topic, partition, offset: candidate });
  }
  return [...next.values()].map((c) => ({ ...c, offset: c.offset.toString() }));
}
