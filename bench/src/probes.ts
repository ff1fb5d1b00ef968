import type { BenchStack } from './bench-stack.js';

/** Percentile of a sample (nearest rank). */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** p50/p99 of the samples acknowledged `warmupMs` or more after the first one, and of all of them. */
export function visibilitySummary(seen: readonly { ackedAt: number; lagMs: number }[], warmupMs: number) {
  const after = seen.reduce((first, s) => Math.min(first, s.ackedAt), Number.POSITIVE_INFINITY) + warmupMs;
  const steady = seen.filter((s) => s.ackedAt >= after).map((s) => s.lagMs);
  const all = seen.map((s) => s.lagMs);
  return {
    warmupMs,
    samples: steady.length,
    p50: percentile(steady, 0.5),
    p99: percentile(steady, 0.99),
    wholeRun: { samples: all.length, p50: percentile(all, 0.5), p99: percentile(all, 0.99) },
  };
}

/**
 * The longest a probe goes without asking ClickHouse while the writers' count stands still. At 1 s, a
 * full-speed run (writes of 1–2 s) asked about twice per write, and its queries, 40–60 ms of
 * ClickHouse's CPU each with 500 samples pending, were counted as the pipeline's: about a third of
 * what ClickHouse spent per realistic span beyond the raw insert (docs/BENCHMARKS.md, 6 December,
 * night). Nothing can become visible between two counts, so the recheck only guards the count.
 */
const quietRecheckMs = 5_000;

/**
 * End-to-end visibility: for sampled acknowledged spans, the time until ClickHouse returns them.
 * Polls every `pollMs`, so figures carry up to that much probe resolution.
 *
 * The headline p50/p99 leave out the samples acknowledged in the first `warmupMs` after the first
 * acknowledgement, and the whole run's are kept beside them: every process of the stack has just
 * started, and their first writes (cold code, first inserts into the run's fresh tables) took 400–800
 * ms where later ones took 250–350, which put all 15 slowest samples of a 60 s run in its first 6 s
 * (docs/BENCHMARKS.md, 5 December, afternoon). A service that runs all day pays that once.
 */
export class VisibilityProbe {
  readonly #pending = new Map<string, { id: string; traceId: string; ackedAt: number }>();
  /** Each seen sample: when it was acknowledged, and how long until it was visible. */
  readonly #seen: { ackedAt: number; lagMs: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  /** The writers' confirmed span rows at the last query, and when it ran. */
  #lastWritten: number | undefined;
  #lastQueryAt = 0;
  /** ClickHouse queries made (a tick makes none when no write completed since the last). */
  queries = 0;

  constructor(
    private readonly stack: BenchStack,
    readonly options: {
      /** How often it looks (the figures' resolution). */
      pollMs: number;
      warmupMs: number;
      /**
       * Span rows the writers have inserted and ClickHouse confirmed (their `/metrics`), counted after a
       * batch's inserts and its commit. A sample becomes visible only when one of those inserts ends, so
       * ClickHouse is asked only after that count moved (at every look when the count cannot be read,
       * and at least every `quietRecheckMs`). Asking every 50 ms regardless took about a fifth of a core
       * of ClickHouse, on the same two cores as the writes whose visibility it measured
       * (docs/BENCHMARKS.md, 4 December, night). Read after the batch's other inserts and commit, the
       * count makes the lag a little longer, never shorter.
       */
      written?: () => Promise<number>;
    },
  ) {}

  get pollMs(): number {
    return this.options.pollMs;
  }

  get samples(): number {
    return this.#seen.length;
  }

  summary() {
    return {
      pollMs: this.pollMs,
      queries: this.queries,
      ...visibilitySummary(this.#seen, this.options.warmupMs),
    };
  }

  add(sample: { id: string; traceId: string; ackedAt: number }): void {
    this.#pending.set(sample.id, sample);
  }

  start(): void {
    this.#timer = setInterval(() => void this.#poll(), this.pollMs);
  }

  async #poll(): Promise<void> {
    if (this.#busy || this.#pending.size === 0) return;
    this.#busy = true;
    try {
      // No write completed since the last query (which is recent): nothing new can be visible.
      const written = await this.options.written?.().catch(() => undefined);
      if (
        written !== undefined &&
        written === this.#lastWritten &&
        Date.now() - this.#lastQueryAt < quietRecheckMs
      )
        return;
      this.#lastWritten = written;
      this.#lastQueryAt = Date.now();
      this.queries++;
      const samples = [...this.#pending.values()].slice(0, 500);
      // By the sorting key's prefix (project, trace), so each poll reads a few granules, not the table.
      // The key alone picks those granules; the span id's bloom filter could skip none of them, and
      // checking 500 ids against it in each took a third of the query's CPU (docs/BENCHMARKS.md).
      const rs = await this.stack.clickhouse.query({
        query: `SELECT DISTINCT toString(span_id) AS id FROM spans_v2
                WHERE project_id = {p:UUID} AND trace_id IN {traces:Array(UUID)} AND span_id IN {ids:Array(UUID)}`,
        query_params: {
          p: this.stack.projectId,
          traces: samples.map((s) => s.traceId),
          ids: samples.map((s) => s.id),
        },
        format: 'JSONEachRow',
        clickhouse_settings: { use_skip_indexes: 0 },
      });
      const seen = Date.now();
      for (const { id } of await rs.json<{ id: string }>()) {
        const sample = this.#pending.get(id);
        if (!sample) continue;
        this.#seen.push({ ackedAt: sample.ackedAt, lagMs: seen - sample.ackedAt });
        this.#pending.delete(id);
      }
    } finally {
      this.#busy = false;
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    clearInterval(this.#timer);
  }
}

/** Latency of one API call, `n` times; p50/p95 in ms. */
export async function timeCalls(
  n: number,
  call: (i: number) => Promise<Response>,
): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await call(i);
    const body = await res.text();
    if (!res.ok) throw new Error(`query failed with ${res.status}: ${body.slice(0, 300)}`);
    times.push(performance.now() - started);
  }
  return {
    p50: Math.round(percentile(times, 0.5) * 10) / 10,
    p95: Math.round(percentile(times, 0.95) * 10) / 10,
  };
}
