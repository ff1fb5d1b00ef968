import type { DecodedBatch } from './record-events.js';

/** A consumed message waiting to be written, with where it came from (for commits and dead letters). */
export interface Pending {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** The record's `io` header: where its events' input and output tokens lie (spans topic). */
  io?: string;
  /** Its events, decoded as it arrived (`decodeRecord`); decoded at write time when absent. */
  decoded?: DecodedBatch;
}

export interface BatchLimits {
  maxRows: number;
  maxBytes: number;
  maxDelayMs: number;
  /**
   * How long the oldest message may wait while the consumer is behind (Kafka held more than the last
   * fetch returned, and what it returned had already waited maxDelayMs) or saturated (writing back
   * to back, `Saturation`). Defaults to maxDelayMs.
   */
  maxDelayBehindMs?: number;
}

/**
 * Whether a writer writes back to back: the share of recent time that writing took, as the ratio of
 * two moving averages (weight 0.15 for the newest): of its writes' durations, and of the time from
 * each write's start to the next one's (the cycle the write belongs to). Saturated from 0.9, after
 * five cycles, until it falls under 0.6.
 *
 * A share per write, averaged, tipped over at half the maximum under a steady load (docs/BENCHMARKS.md,
 * 5 December, afternoon): there a batch was due 400 ms (the delay then) after the write before it
 * began, a write took about 300 ms, and after a slow write the next batch was due at once, so one slow
 * write counted as a whole cycle of writing; the longer delay then held batches for up to two seconds
 * (p99 visibility 2.7–2.9 s). In time, such a writer writes 55–70 % of the time, and one at full speed
 * up to all of it. Saturated, batching longer, a writer at full speed still wrote 77–95 % of the time,
 * and must not flap back; one tipped over by its first, slow writes at half the maximum wrote 55 % of
 * the time there and stayed saturated for the whole run while the bound to leave was 0.4.
 *
 * Writes shorter than `minWriteMs` (on average) never make it saturated: under the short delay a write
 * that takes the delay or more is followed at once by the next batch, already due, so a writer whose
 * writes take about as long as that delay writes back to back at any load. At half the maximum
 * (3,000 realistic spans/s, writes of 240–330 ms under a 300 ms delay) that tipped it over in one run
 * of two, and batches waited 2 s (docs/BENCHMARKS.md, 5 December, evening). At full speed its writes
 * take one to two seconds.
 */
export class Saturation {
  static readonly enterAt = 0.9;
  static readonly leaveUnder = 0.6;
  static readonly weight = 0.15;
  static readonly minCycles = 5;
  #writingMs = 0;
  #cycleMs = 0;
  #meanWriteMs = 0;
  #cycles = 0;
  #last: { startedAt: number; ms: number } | undefined;
  #saturated = false;

  constructor(private readonly minWriteMs = 0) {}

  get saturated(): boolean {
    return this.#saturated;
  }

  noteWrite(startedAt: number, ms: number): void {
    const last = this.#last;
    if (last !== undefined) {
      if (startedAt <= last.startedAt) return;
      const w = Saturation.weight;
      this.#writingMs = (1 - w) * this.#writingMs + w * last.ms;
      this.#cycleMs = (1 - w) * this.#cycleMs + w * (startedAt - last.startedAt);
      this.#cycles++;
      // The same average of writes, from the first one rather than from zero: compared with a duration.
      this.#meanWriteMs = this.#cycles === 1 ? last.ms : (1 - w) * this.#meanWriteMs + w * last.ms;
      const share = this.#writingMs / this.#cycleMs;
      this.#saturated = this.#saturated
        ? share >= Saturation.leaveUnder
        : this.#cycles >= Saturation.minCycles &&
          share >= Saturation.enterAt &&
          this.#meanWriteMs >= this.minWriteMs;
    }
    this.#last = { startedAt, ms };
  }
}

/**
 * Collects messages until a batch is full by rows or bytes, or its oldest message has waited long
 * enough: maxDelayMs while the writer keeps up, maxDelayBehindMs while a backlog waits in Kafka or
 * the writer is saturated. Behind, the records are already there, so waiting longer costs them no
 * visibility yet makes inserts larger, which ClickHouse writes and merges for less CPU per row; the
 * backlog drains sooner. Saturated — writing back to back, where each batch is what arrived during
 * the write before it — the machine's CPU is the limit, and larger inserts are what frees some of it
 * (docs/WRITE-PATH.md §4). Otherwise the short delay applies, so visibility at moderate load does not
 * change.
 */
export class BatchBuffer {
  #items: Pending[] = [];
  #bytes = 0;
  #firstAt: number | undefined;
  #lastAt: number | undefined;
  /** Partitions ("topic/partition") whose last fetch left a backlog in Kafka. */
  readonly #behind = new Set<string>();
  readonly #saturation: Saturation;

  constructor(
    private readonly limits: BatchLimits,
    private readonly now: () => number = Date.now,
  ) {
    // Back to back only counts when writes take well over the short delay (`Saturation`).
    this.#saturation = new Saturation(2 * limits.maxDelayMs);
    if (
      limits.maxRows < 1 ||
      limits.maxBytes < 1 ||
      limits.maxDelayMs < 0 ||
      (limits.maxDelayBehindMs ?? limits.maxDelayMs) < limits.maxDelayMs
    )
      throw new Error('BatchBuffer: invalid limits');
  }

  /**
   * Records a fetch from a partition: the records it left in Kafka, and how long ago the newest record
   * it returned was produced. Only both make a backlog: a fetch also leaves records behind when it hits
   * its byte cap on a burst the writer is keeping up with, and those records are fresh.
   */
  noteFetch(topic: string, partition: number, lag: number, newestAgeMs: number): void {
    if (lag > 0 && newestAgeMs >= this.limits.maxDelayMs) this.#behind.add(`${topic}/${partition}`);
    else this.#behind.delete(`${topic}/${partition}`);
  }

  get behind(): boolean {
    return this.#behind.size > 0;
  }

  /** Records a write that started at `startedAt` and took `ms` (its commit included), for `saturated`. */
  noteWrite(startedAt: number, ms: number): void {
    this.#saturation.noteWrite(startedAt, ms);
  }

  get saturated(): boolean {
    return this.#saturation.saturated;
  }

  /** Which delay a batch may wait now: the short one, or the longer one and why. */
  get delayMode(): 'short' | 'behind' | 'saturated' {
    return this.behind ? 'behind' : this.saturated ? 'saturated' : 'short';
  }

  get size(): number {
    return this.#items.length;
  }

  add(item: Pending): void {
    this.#lastAt = this.now();
    this.#firstAt ??= this.#lastAt;
    this.#items.push(item);
    this.#bytes += (item.value?.length ?? 0) + (item.key?.length ?? 0);
  }

  full(): boolean {
    return this.#items.length >= this.limits.maxRows || this.#bytes >= this.limits.maxBytes;
  }

  due(): boolean {
    if (this.#firstAt === undefined || this.#lastAt === undefined) return false;
    const now = this.now();
    // The longer delay buys larger inserts only while more keeps coming: once nothing has arrived for
    // half the short delay (the load stopped or paused), what is there is written.
    const waitLonger = this.delayMode !== 'short' && now - this.#lastAt < this.limits.maxDelayMs / 2;
    const delay = waitLonger
      ? (this.limits.maxDelayBehindMs ?? this.limits.maxDelayMs)
      : this.limits.maxDelayMs;
    return this.full() || now - this.#firstAt >= delay;
  }

  /**
   * Partitions were reassigned: drops what is buffered (uncommitted, so their owner reads it again)
   * and every partition's backlog mark; returns how many messages were dropped.
   */
  discard(): number {
    this.#behind.clear();
    return this.take().length;
  }

  take(): Pending[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#firstAt = undefined;
    this.#lastAt = undefined;
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
