import { evictWhile } from '@tracehouse/shared/node';

/**
 * Recently written entity states, bounded by an estimate of their bytes; the least recently used go
 * first. One writer owns a trace (spans are keyed by trace id), so what it cached is what it wrote.
 */
export class StateCache<T> {
  readonly #entries = new Map<string, { value: T; bytes: number }>();
  #bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: T) => number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T): void {
    this.delete(key);
    const bytes = this.sizeOf(value);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    // Down to a sixteenth under the bound at once: evicting one at a time walks the Map's holes
    // every time (see evictWhile).
    if (this.#bytes > this.maxBytes)
      evictWhile(
        this.#entries,
        () => this.#bytes > this.maxBytes - this.maxBytes / 16,
        (_, evicted) => {
          this.#bytes -= evicted.bytes;
        },
      );
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
