/**
 * Versions of acknowledged writes: microseconds since the epoch, strictly increasing within a process
 * even when the wall clock stalls or steps back, and never behind a version this process has seen
 * from another (a hybrid logical clock: every version on the index topic is observed). So a client's
 * write through a process whose clock is behind still gets a higher version than its earlier write
 * through another, once this process has read that write's index entry. The writer orders events by
 * their place in the log anyway (docs/WRITE-PATH.md §3); versions are what reads wait for.
 */
export class VersionClock {
  #last = 0;

  constructor(private readonly nowMs: () => number = Date.now) {}

  next(): number {
    const candidate = Math.floor(this.nowMs() * 1000);
    this.#last = candidate > this.#last ? candidate : this.#last + 1;
    return this.#last;
  }

  /** A version acknowledged elsewhere: later versions from here are higher. */
  observe(version: number): void {
    if (version > this.#last) this.#last = version;
  }
}
