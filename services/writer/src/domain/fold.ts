import type { Pending } from './batch-buffer.js';
import type { StateCache } from './state-cache.js';

/** How one kind of entity (span, metric, dataset entry) is keyed, loaded and merged. */
export interface FoldKind<E, S extends { row: R }, R> {
  /** The entity key of an event and of a stored row, as one string. */
  keyOfEvent(event: E): string;
  keyOfRow(row: R): string;
  cache: StateCache<S>;
  clone(state: S): S;
  /** Stored rows for events whose entity is not cached. */
  load(events: E[]): Promise<R[]>;
  fromRow(row: R): S;
  apply(state: S | undefined, event: E): { state: S; changed: boolean };
}

export interface Folded<S extends { row: R }, R> {
  /** Rows to insert: entities an event changed. */
  rows: R[];
  /** Every touched state, to cache once the batch is written. */
  states: Map<string, S>;
  /** The message behind each changed row, for dead letters. */
  sources: Map<R, Pending>;
}

/**
 * Folds a batch's events into the entities' current states: cached ones are copied (the cache only
 * changes after the batch is written), the others are loaded from ClickHouse in one query.
 */
export async function fold<E, S extends { row: R }, R>(
  kind: FoldKind<E, S, R>,
  events: { event: E; source: Pending }[],
): Promise<Folded<S, R>> {
  const states = new Map<string, S>();
  const missing = new Map<string, E>();
  for (const { event } of events) {
    const key = kind.keyOfEvent(event);
    if (states.has(key) || missing.has(key)) continue;
    const cached = kind.cache.get(key);
    if (cached) states.set(key, kind.clone(cached));
    else missing.set(key, event);
  }
  if (missing.size > 0) {
    for (const row of await kind.load([...missing.values()]))
      states.set(kind.keyOfRow(row), kind.fromRow(row));
  }
  const changed = new Set<string>();
  const sources = new Map<R, Pending>();
  for (const { event, source } of events) {
    const key = kind.keyOfEvent(event);
    const { state, changed: didChange } = kind.apply(states.get(key), event);
    states.set(key, state);
    if (didChange) {
      changed.add(key);
      sources.set(state.row, source);
    }
  }
  return { rows: [...changed].map((k) => states.get(k)!.row), states, sources };
}
