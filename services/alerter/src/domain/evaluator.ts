import { createHash } from 'node:crypto';
import { type RuleState, standDown, stateAfter, step } from '@tracehouse/shared';
import type { AlertEventRow, Logger } from '@tracehouse/shared/node';
import type { LiveRule, RuleBook } from './rule-book.js';
import type { WindowStore } from './window-store.js';

export interface Ownership {
  /** When this process got the rule (ms), or undefined when another process owns it. */
  ownedSince(ruleId: string): number | undefined;
  /** Changes with every assignment, even one that keeps the same rules here. */
  readonly generation: number;
}

export interface EvaluatorStore {
  lastEvents(rules: LiveRule[]): Promise<AlertEventRow[]>;
  insertEvents(rows: AlertEventRow[]): Promise<void>;
}

export interface EvaluatorOptions {
  rules: RuleBook;
  windows: WindowStore;
  ownership: Ownership;
  store: EvaluatorStore;
  /** Called for each stored event, to deliver it; also told which rules were just taken over. */
  deliver: (row: AlertEventRow, rule: LiveRule) => void;
  /** Awaited before the rules' first evaluation, so resumed deliveries never race new events. */
  onAcquired: (rules: LiveRule[]) => Promise<void>;
  logger: Logger;
  clock: () => number;
  graceMs: number;
}

/** The n-th event of a rule has one id wherever it is computed: receivers dedupe on it. */
export function eventId(ruleId: string, seq: number): string {
  const h = createHash('sha256').update(`${ruleId}:${seq}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Evaluates the rules this process owns: window value → state machine → event stored in ClickHouse →
 * delivery. A rule's state is taken from its last stored event when the process takes the rule over,
 * and a state change is kept only once its event is stored, so a crash never loses or repeats one.
 */
export class RuleEvaluator {
  readonly #o: EvaluatorOptions;
  readonly #states = new Map<string, RuleState>();
  /** Rules deleted while this process may have had them open, until they stood down. */
  readonly #deleted = new Map<string, LiveRule>();
  #generation = -1;

  constructor(options: EvaluatorOptions) {
    this.#o = options;
  }

  /** States of owned rules, for tests and debugging. */
  state(ruleId: string): RuleState | undefined {
    return this.#states.get(ruleId);
  }

  /** Rules that went away from the store (RuleBook.replace): a firing one resolves on the next tick. */
  retire(rules: LiveRule[]): void {
    for (const r of rules) this.#deleted.set(r.id, r);
  }

  async tick(): Promise<number> {
    const now = this.#o.clock();
    // After any reassignment, take every rule over again from the store: a delivery dropped while
    // ownership was briefly released is resumed, and nothing decided elsewhere meanwhile is missed.
    if (this.#o.ownership.generation !== this.#generation) {
      this.#generation = this.#o.ownership.generation;
      this.#states.clear();
    }
    const owned: LiveRule[] = [];
    // Owned rules no longer evaluated (disabled, or deleted since the last tick): they stand down.
    const retiring: LiveRule[] = [];
    for (const rule of [...this.#o.rules.all(), ...this.#deleted.values()]) {
      const since = this.#o.ownership.ownedSince(rule.id);
      // Not ours: forget its state; if it comes back, the store has the truth.
      if (since === undefined) this.#states.delete(rule.id);
      else if (now >= since + this.#o.graceMs)
        (rule.enabled && this.#o.rules.get(rule.id) ? owned : retiring).push(rule);
    }
    for (const id of this.#states.keys())
      if (!this.#o.rules.get(id) && !this.#deleted.has(id)) this.#states.delete(id);
    await this.#takeOver([...owned, ...retiring].filter((r) => !this.#states.has(r.id)));

    const rows: AlertEventRow[] = [];
    const next = new Map<string, RuleState>();
    for (const rule of owned) {
      const state = this.#states.get(rule.id);
      const w = this.#o.windows.evaluate(rule, now);
      if (!state || !w?.armed) continue;
      const r = step(state, w.value, now, rule);
      if (r.state !== state) next.set(rule.id, r.state);
      if (r.emit) rows.push(this.#row(rule, r.state.seq, r.emit, w.value, w.from, w.to, now, w.traces));
    }
    for (const rule of retiring) {
      const state = this.#states.get(rule.id);
      if (!state) continue;
      const r = standDown(state);
      if (r.state !== state) next.set(rule.id, r.state);
      if (r.emit) rows.push(this.#row(rule, r.state.seq, r.emit, null, now, now, now, []));
    }
    // Stored first: until the insert succeeds the state does not move, and the next tick decides again.
    await this.#o.store.insertEvents(rows);
    for (const [id, s] of next) this.#states.set(id, s);
    for (const row of rows) {
      this.#o.logger.info(
        { ruleId: row.rule_id, kind: row.kind, seq: row.seq, value: row.value },
        'alert event',
      );
      this.#o.deliver(row, this.#o.rules.get(row.rule_id) ?? this.#deleted.get(row.rule_id)!);
    }
    // A deleted rule is kept until it has stood down, or is not ours to stand down.
    for (const id of this.#deleted.keys())
      if (this.#o.ownership.ownedSince(id) === undefined || this.#states.get(id)?.status === 'ok')
        this.#deleted.delete(id);
    return rows.length;
  }

  async #takeOver(rules: LiveRule[]): Promise<void> {
    if (rules.length === 0) return;
    const last = new Map((await this.#o.store.lastEvents(rules)).map((e) => [e.rule_id, e]));
    for (const rule of rules) {
      const e = last.get(rule.id);
      this.#states.set(
        rule.id,
        e
          ? stateAfter({ kind: e.kind as 'firing', seq: e.seq, atMs: Date.parse(e.at) })
          : { status: 'ok', pendingSince: null, lastNotifiedAt: null, seq: 0 },
      );
    }
    await this.#o.onAcquired(rules);
  }

  #row(
    rule: LiveRule,
    seq: number,
    kind: AlertEventRow['kind'],
    value: number | null,
    from: number,
    to: number,
    now: number,
    traces: string[],
  ): AlertEventRow {
    return {
      project_id: rule.projectId,
      rule_id: rule.id,
      seq,
      event_id: eventId(rule.id, seq),
      kind,
      severity: rule.severity,
      rule_name: rule.name,
      value,
      threshold: rule.threshold,
      comparator: rule.comparator,
      aggregation: rule.aggregation,
      source: JSON.stringify(rule.source),
      window_seconds: rule.window_seconds,
      window_start: iso(from),
      window_end: iso(to),
      at: iso(now),
      sample_trace_ids: kind === 'resolved' ? [] : traces,
      channels: JSON.stringify(rule.channels),
    };
  }
}
