import {
  Aggregation,
  AlertChannel,
  AlertComparator,
  AlertFilter,
  AlertSeverity,
  AlertSource,
  NoDataPolicy,
} from '@tracehouse/shared';
import { z } from 'zod';

/**
 * A stored rule as the alerter reads it. Looser than the API's request schema on purpose: the API
 * is where limits are enforced (window ≥ 60 s), and a rule stored under older limits must still run.
 */
export const StoredRuleSpec = z.object({
  name: z.string(),
  enabled: z.boolean(),
  source: AlertSource,
  filter: AlertFilter.default({}),
  aggregation: Aggregation,
  window_seconds: z.number().int().min(1),
  comparator: AlertComparator,
  threshold: z.number(),
  for_seconds: z.number().int().min(0).default(0),
  no_data: NoDataPolicy.default('keep'),
  severity: AlertSeverity.default('warning'),
  channels: z.array(AlertChannel).default([]),
  repeat_interval_seconds: z.number().int().positive().nullable().default(null),
});
export type StoredRuleSpec = z.output<typeof StoredRuleSpec>;

export interface LiveRule extends StoredRuleSpec {
  id: string;
  projectId: string;
  secret: string;
  version: number;
  /** What the windows depend on: when it changes, the rule's windows start over. */
  identity: string;
}

export const identityOf = (s: StoredRuleSpec) => JSON.stringify([s.source, s.filter, s.window_seconds]);

/** The rules in force, indexed by what events they need. */
export class RuleBook {
  #byId = new Map<string, LiveRule>();
  #metric = new Map<string, LiveRule[]>();
  #span = new Map<string, LiveRule[]>();
  #projects = new Set<string>();

  /** Replaces the whole set (rules are re-read periodically); returns ids that went away. */
  replace(rules: LiveRule[]): string[] {
    const removed = [...this.#byId.keys()].filter((id) => !rules.some((r) => r.id === id));
    this.#byId = new Map(rules.map((r) => [r.id, r]));
    this.#metric = new Map();
    this.#span = new Map();
    this.#projects = new Set();
    for (const r of rules) {
      if (!r.enabled) continue;
      this.#projects.add(r.projectId);
      const [index, key] =
        r.source.type === 'metric'
          ? [this.#metric, `${r.projectId}\u0000${r.source.dimension}`]
          : [this.#span, r.projectId];
      index.set(key, [...(index.get(key) ?? []), r]);
    }
    return removed;
  }

  get(id: string): LiveRule | undefined {
    return this.#byId.get(id);
  }

  all(): LiveRule[] {
    return [...this.#byId.values()];
  }

  metricRules(projectId: string, dimension: string): LiveRule[] {
    return this.#metric.get(`${projectId}\u0000${dimension}`) ?? [];
  }

  /** Whether any enabled rule needs the project's events. */
  hasRules(projectId: string): boolean {
    return this.#projects.has(projectId);
  }

  spanRules(projectId: string): LiveRule[] {
    return this.#span.get(projectId) ?? [];
  }

  /** Longest window among enabled rules, ms: how far back a restart must rebuild. */
  longestWindowMs(): number {
    return Math.max(0, ...this.all().map((r) => r.window_seconds * 1000));
  }
}
