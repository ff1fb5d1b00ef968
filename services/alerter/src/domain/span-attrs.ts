import type { AlertFilter, SpanFields, SpanSignal } from '@tracehouse/shared';
import { evictOldest } from '@tracehouse/shared/node';

/** What rules filter and measure on a span; `name` undefined until its create was seen. */
export interface SpanAttrs {
  name: string | undefined;
  type: string | null;
  tags: Record<string, string>;
  status: string;
  error: boolean;
  start: number | null;
  end: number | null;
  usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  cost: number | null;
  /** Its span signals were added to windows (a span counts once). */
  emitted: boolean;
}

export const emptySpanAttrs = (): SpanAttrs => ({
  name: undefined,
  type: null,
  tags: {},
  status: 'unset',
  error: false,
  start: null,
  end: null,
  usage: {},
  cost: null,
  emitted: false,
});

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

/** Folds a span event's fields in, as the writer does: absent keys stay, tags merge key by key. */
export function mergeSpanFields(a: SpanAttrs, f: Partial<SpanFields>): SpanAttrs {
  const next = { ...a };
  if (f.name !== undefined) next.name = f.name;
  if (f.type !== undefined) next.type = f.type;
  if (f.status !== undefined) next.status = f.status;
  if (f.error !== undefined) next.error = f.error !== null;
  if (f.start_time !== undefined) next.start = time(f.start_time);
  if (f.end_time !== undefined) next.end = time(f.end_time);
  if (f.usage !== undefined) next.usage = { ...a.usage, ...f.usage };
  if (f.cost !== undefined) next.cost = f.cost;
  if (f.tags === null) next.tags = {};
  else if (f.tags !== undefined) {
    next.tags = { ...a.tags };
    for (const [k, v] of Object.entries(f.tags as Record<string, string | null>)) {
      if (v === null) delete next.tags[k];
      else next.tags[k] = v;
    }
  }
  return next;
}

export function matchesFilter(filter: AlertFilter, s: SpanAttrs): boolean {
  if (filter.name !== undefined && s.name !== filter.name) return false;
  if (filter.type !== undefined && s.type !== filter.type) return false;
  if (filter.status !== undefined && s.status !== filter.status) return false;
  for (const [k, v] of Object.entries(filter.tags ?? {})) if (s.tags[k] !== v) return false;
  return true;
}

export const filterIsEmpty = (f: AlertFilter) =>
  f.name === undefined &&
  f.type === undefined &&
  f.status === undefined &&
  Object.keys(f.tags ?? {}).length === 0;

/** A finished span's value for a signal; null when the span does not have it. */
export function signalValue(signal: SpanSignal, s: SpanAttrs): number | null {
  switch (signal) {
    case 'span.duration_ms':
      return s.start !== null && s.end !== null ? s.end - s.start : null;
    case 'span.error_rate':
      return s.status === 'error' || s.error ? 1 : 0;
    case 'span.count':
      return 1;
    case 'span.prompt_tokens':
    case 'span.completion_tokens':
    case 'span.total_tokens':
      return s.usage[signal.slice(5) as keyof SpanAttrs['usage']] ?? null;
    case 'span.cost':
      return s.cost;
  }
}

/** A bounded map, least recently used out first (Map keeps insertion order; a hit re-inserts). */
export class LruMap<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  /** The value, not marked used: for a caller that sets the key right after, which marks it. */
  peek(key: string): V | undefined {
    return this.#map.get(key);
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    evictOldest(this.#map, this.max);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}
