/**
 * Versions order writes to one entity (last writer wins per field). Microseconds since the epoch,
 * strictly increasing within a process even when the wall clock stalls or steps back.
 */
export class VersionClock {
  #last = 0;

  constructor(private readonly nowMs: () => number = Date.now) {}

  next(): number {
    const candidate = Math.floor(this.nowMs() * 1000);
    this.#last = candidate > this.#last ? candidate : this.#last + 1;
    return this.#last;
  }
}
