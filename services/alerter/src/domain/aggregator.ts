import type { MetricEvent, SpanEvent } from '@tracehouse/shared';
import type { Logger } from '@tracehouse/shared/node';
import type { LiveRule, RuleBook } from './rule-book.js';
import {
  emptySpanAttrs,
  filterIsEmpty,
  LruMap,
  matchesFilter,
  mergeSpanFields,
  type SpanAttrs,
  signalValue,
} from './span-attrs.js';
import type { WindowStore } from './window-store.js';

export type StreamEvent = SpanEvent | MetricEvent;
/** Where a batch came from (topic/partition/offset today); opaque to the aggregator. */
export interface StreamPosition {
  source: string;
  partition: number;
  offset: string;
}
export interface SpanKey {
  projectId: string;
  traceId: string;
  spanId: string;
}

type Waiting = { kind: 'metric'; event: MetricEvent } | { kind: 'patch'; event: SpanEvent };
interface Pending extends SpanKey {
  items: Waiting[];
  since: number;
  lastLookup: number;
}

export interface AggregatorOptions {
  rules: RuleBook;
  windows: WindowStore;
  /** Spans' attributes from ClickHouse, for metrics and patches of spans not in the cache. */
  lookupSpans: (keys: SpanKey[]) => Promise<Map<string, SpanAttrs>>;
  logger: Logger;
  clock: () => number;
  spanCacheMax: number;
  joinWaitMs: number;
  joinGiveUpMs: number;
}

export const spanKey = (k: { projectId: string; spanId: string }) => `${k.projectId}:${k.spanId}`;

/**
 * The evaluation core's input side: span and metric events in → values in rule windows. Knows
 * nothing of Kafka, so the source (topics, partitions, several events per record) can change.
 */
export class StreamAggregator {
  readonly #o: AggregatorOptions;
  readonly #spans: LruMap<SpanAttrs>;
  /** Metric ids already counted: a redelivered or retried metric counts once. */
  readonly #seenMetrics: LruMap<true>;
  readonly #pending = new Map<string, Pending>();
  dropped = 0;
  applied = 0;

  constructor(options: AggregatorOptions) {
    this.#o = options;
    this.#spans = new LruMap(options.spanCacheMax);
    this.#seenMetrics = new LruMap(Math.max(10_000, options.spanCacheMax));
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  async applyEvents(events: StreamEvent[], _position?: StreamPosition): Promise<void> {
    for (const e of events) {
      if (e.kind.startsWith('span.')) this.#applySpan(e as SpanEvent);
      else this.#applyMetric(e as MetricEvent);
    }
    this.applied += events.length;
  }

  #applySpan(e: SpanEvent, base?: SpanAttrs): void {
    const key = spanKey({ projectId: e.project_id, spanId: e.id });
    if (e.kind === 'span.delete') {
      this.#spans.delete(key);
      return;
    }
    // Peeked: a span event that finds its span sets it again below, which marks it used.
    let attrs = base ?? this.#spans.peek(key);
    if (!attrs && e.kind === 'span.patch') {
      // Its create came before what this process has read (or was evicted): ask ClickHouse.
      if (this.#o.rules.spanRules(e.project_id).length > 0 && e.fields.end_time)
        this.#wait(
          { projectId: e.project_id, traceId: e.trace_id, spanId: e.id },
          { kind: 'patch', event: e },
        );
      return;
    }
    attrs = mergeSpanFields(attrs ?? emptySpanAttrs(), e.fields);
    this.#spans.set(key, attrs);
    this.#emitSpan(attrs, e.project_id, e.trace_id);
    const waiting = this.#pending.get(key);
    if (waiting && attrs.name !== undefined) {
      this.#pending.delete(key);
      this.#release(waiting, attrs);
    }
  }

  #emitSpan(attrs: SpanAttrs, projectId: string, traceId: string): void {
    if (attrs.emitted || attrs.name === undefined || attrs.end === null) return;
    attrs.emitted = true;
    const now = this.#o.clock();
    for (const rule of this.#o.rules.spanRules(projectId)) {
      if (rule.source.type !== 'span' || !matchesFilter(rule.filter, attrs)) continue;
      const v = signalValue(rule.source.signal, attrs);
      if (v !== null) this.#o.windows.add(rule, attrs.end, v, traceId, now);
    }
  }

  #applyMetric(e: MetricEvent): void {
    // A metric counts once, with its first value: sketches cannot take a value back out.
    if (e.kind !== 'metric.upsert' || this.#seenMetrics.has(e.id)) return;
    const rules = this.#o.rules.metricRules(e.project_id, e.fields.dimension);
    if (rules.length === 0) return;
    this.#seenMetrics.set(e.id, true);
    const now = this.#o.clock();
    const t = Date.parse(e.created_at);
    const filtered: LiveRule[] = [];
    for (const rule of rules) {
      if (filterIsEmpty(rule.filter)) this.#o.windows.add(rule, t, e.fields.value, e.trace_id, now);
      else filtered.push(rule);
    }
    if (filtered.length === 0) return;
    const key = { projectId: e.project_id, traceId: e.trace_id, spanId: e.span_id };
    const attrs = this.#spans.get(spanKey(key));
    if (attrs?.name !== undefined) this.#addMetric(e, attrs, filtered);
    else this.#wait(key, { kind: 'metric', event: e });
  }

  #addMetric(e: MetricEvent & { kind: 'metric.upsert' }, attrs: SpanAttrs, rules?: LiveRule[]): void {
    const now = this.#o.clock();
    for (const rule of rules ?? this.#o.rules.metricRules(e.project_id, e.fields.dimension)) {
      if (filterIsEmpty(rule.filter) || !matchesFilter(rule.filter, attrs)) continue;
      this.#o.windows.add(rule, Date.parse(e.created_at), e.fields.value, e.trace_id, now);
    }
  }

  #wait(key: SpanKey, item: Waiting): void {
    const k = spanKey(key);
    const p = this.#pending.get(k);
    if (p) p.items.push(item);
    else {
      const now = this.#o.clock();
      this.#pending.set(k, { ...key, items: [item], since: now, lastLookup: now });
    }
  }

  #release(p: Pending, attrs: SpanAttrs): void {
    for (const item of p.items) {
      if (item.kind === 'metric' && item.event.kind === 'metric.upsert') this.#addMetric(item.event, attrs);
      else if (item.kind === 'patch') this.#applySpan(item.event, this.#spans.get(spanKey(p)) ?? attrs);
    }
  }

  /**
   * Joins what waited long enough with spans read from ClickHouse (spans stored long ago, or evicted);
   * gives up on what is still unknown after the give-up time. Called on every evaluation tick.
   */
  async resolvePending(): Promise<void> {
    const now = this.#o.clock();
    const due = [...this.#pending.values()]
      .filter((p) => now - p.lastLookup >= this.#o.joinWaitMs)
      .slice(0, 2_000);
    if (due.length === 0) return;
    for (const p of due) p.lastLookup = now;
    const found = await this.#o.lookupSpans(due);
    for (const p of due) {
      const k = spanKey(p);
      if (!this.#pending.has(k)) continue; // its span arrived on the stream meanwhile
      const attrs = found.get(k);
      if (attrs) {
        this.#pending.delete(k);
        // A stored span that had ended was counted when it was live, unless a waiting patch is
        // what ends it (only patches carrying end_time wait).
        const ends = p.items.some((i) => i.kind === 'patch');
        const known = this.#spans.get(k) ?? { ...attrs, emitted: attrs.end !== null && !ends };
        this.#spans.set(k, known);
        this.#release(p, known);
      } else if (now - p.since >= this.#o.joinGiveUpMs) {
        this.#pending.delete(k);
        this.dropped += p.items.length;
        this.#o.logger.debug(
          { spanId: p.spanId, items: p.items.length },
          'no span for waiting events; dropped',
        );
      }
    }
  }
}
