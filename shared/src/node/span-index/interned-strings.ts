import { evictOldest } from '../bounded-map.js';

/**
 * One copy of each recent string. The span index keeps about a million entries, each naming its trace,
 * its parent (mostly the same id) and a name (a handful per application), and every event brings them
 * as fresh strings. Held as one copy each, they take an eighth off the index's heap (a replay of its
 * work at a million entries: 515 against 588 MB), which every full garbage collection marks
 * (docs/BENCHMARKS.md: the index's size cost ingest CPU).
 */
export class InternedStrings {
  readonly #copies = new Map<string, string>();

  constructor(private readonly maxStrings: number) {}

  /** The copy held of `value` (which becomes it when none is); anything but a string as it is. */
  of<T extends string | null | undefined>(value: T): T {
    if (typeof value !== 'string') return value;
    const copy = this.#copies.get(value);
    if (copy !== undefined) return copy as T;
    this.#copies.set(value, value);
    evictOldest(this.#copies, this.maxStrings);
    return value;
  }
}
