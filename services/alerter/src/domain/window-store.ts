import type { LiveRule } from './rule-book.js';
import { bucketMsFor, RuleWindows, type WindowValue } from './rule-windows.js';

interface Entry {
  identity: string;
  windows: RuleWindows;
  /** Event time from which this process has seen every event for the rule. */
  knownFrom: number;
}

/** Every rule's windows (all rules, owned or not, so a handed-over rule is ready at once). */
export class WindowStore {
  readonly #entries = new Map<string, Entry>();
  readonly #exactMax: number;
  readonly #latenessMs: number;
  /** Events older than every window that could still use them. */
  tooLate = 0;

  constructor(options: { exactMax: number; latenessMs: number }) {
    this.#exactMax = options.exactMax;
    this.#latenessMs = options.latenessMs;
  }

  /** Creates windows for new rules and restarts those whose source, filter or window changed. */
  sync(rules: LiveRule[], knownFrom: number): void {
    const ids = new Set(rules.map((r) => r.id));
    for (const id of this.#entries.keys()) if (!ids.has(id)) this.#entries.delete(id);
    for (const r of rules) {
      const e = this.#entries.get(r.id);
      if (e?.identity === r.identity) continue;
      this.#entries.set(r.id, {
        identity: r.identity,
        windows: new RuleWindows({ bucketMs: bucketMsFor(r.window_seconds), exactMax: this.#exactMax }),
        knownFrom,
      });
    }
  }

  add(rule: LiveRule, t: number, value: number, traceId: string, now: number): void {
    const e = this.#entries.get(rule.id);
    if (!e) return;
    if (t < now - rule.window_seconds * 1000 - this.#latenessMs - e.windows.bucketMs) {
      this.tooLate++;
      return;
    }
    e.windows.add(t, value, traceId);
  }

  /**
   * The window evaluated at `now`: it ends `lateness` ago (on a bucket boundary), so events up to that
   * late are in it. `armed` is false until this process has seen a whole window for the rule.
   */
  evaluate(
    rule: LiveRule,
    now: number,
  ): (WindowValue & { from: number; to: number; armed: boolean }) | undefined {
    const e = this.#entries.get(rule.id);
    if (!e) return undefined;
    const b = e.windows.bucketMs;
    const to = Math.floor((now - this.#latenessMs) / b) * b;
    const from = to - rule.window_seconds * 1000;
    return { ...e.windows.aggregate(rule.aggregation, from, to), from, to, armed: from >= e.knownFrom - b };
  }

  prune(rules: LiveRule[], now: number): void {
    for (const r of rules) {
      this.#entries.get(r.id)?.windows.prune(now - r.window_seconds * 1000 - this.#latenessMs - 60_000);
    }
  }
}
