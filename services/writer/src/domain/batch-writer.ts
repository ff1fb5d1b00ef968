import { AppError, type DeadLetter, MetricEvent, SpanEvent, type TopicNames } from '@tracehouse/shared';
import type { Logger, SpanMetricRow, SpanRow } from '@tracehouse/shared/node';
import type { Pending } from './batch-buffer.js';
import { applyMetricEvent, type MetricState, metricStateFromRow } from './metric-state.js';
import { applySpanEvent, type SpanState, stateFromRow } from './span-state.js';
import type { StateCache } from './state-cache.js';

export interface SpanKey {
  projectId: string;
  traceId: string;
  spanId: string;
}
export interface MetricKey {
  projectId: string;
  traceId: string;
  metricId: string;
}
export interface TraceKey {
  projectId: string;
  traceId: string;
}

/** What the writer needs from ClickHouse (tables/*.ts in shared), injected so the logic is testable. */
export interface WriterStore {
  loadSpans(keys: SpanKey[]): Promise<SpanRow[]>;
  loadMetrics(keys: MetricKey[]): Promise<SpanMetricRow[]>;
  insertSpans(rows: SpanRow[]): Promise<void>;
  insertMetrics(rows: SpanMetricRow[]): Promise<void>;
  /** Hides the metrics of deleted spans (deleted = 1 at the given version). */
  deleteMetricsOfSpans(spans: (SpanKey & { version: number })[]): Promise<void>;
  /** Recomputes the summaries of these traces from their spans; `maybeEmpty` had deletes. */
  refreshTraces(traces: TraceKey[], maybeEmpty: TraceKey[]): Promise<void>;
}

export interface BatchWriterOptions {
  store: WriterStore;
  /** Resolves once the dead letters are in Kafka. */
  sendDeadLetters: (letters: DeadLetter[]) => Promise<void>;
  spanCache: StateCache<SpanState>;
  metricCache: StateCache<MetricState>;
  topics: TopicNames;
  logger: Logger;
  now?: () => Date;
}

export interface BatchResult {
  spans: number;
  metrics: number;
  traces: number;
  deadLetters: number;
}

const spanKeyOf = (k: SpanKey) => `${k.projectId}/${k.traceId}/${k.spanId}`;
const metricKeyOf = (k: MetricKey) => `${k.projectId}/${k.traceId}/${k.metricId}`;
const traceKeyOf = (k: TraceKey) => `${k.projectId}/${k.traceId}`;

const cloneSpan = (s: SpanState): SpanState => ({
  row: { ...s.row, meta: { ...s.row.meta }, tags: { ...s.row.tags } },
  versions: new Map(s.versions),
});
const cloneMetric = (s: MetricState): MetricState => ({ row: { ...s.row }, versions: new Map(s.versions) });

/**
 * Writes one consumed batch: parses events (bad ones become dead letters), folds them into the
 * current states (cache, else ClickHouse), inserts complete rows, hides metrics of deleted spans and
 * refreshes touched trace summaries. The caches change only after everything succeeded, so a failed
 * batch can be retried as a whole. See docs/WRITE-PATH.md §3.
 */
export class BatchWriter {
  constructor(private readonly o: BatchWriterOptions) {}

  async write(items: Pending[]): Promise<BatchResult> {
    const letters: DeadLetter[] = [];
    const spanEvents: { event: SpanEvent; source: Pending }[] = [];
    const metricEvents: { event: MetricEvent; source: Pending }[] = [];
    for (const item of items) {
      const parsed = this.#parse(item);
      if ('reason' in parsed) letters.push(this.#deadLetter(item, parsed.reason));
      else if (parsed.span) spanEvents.push({ event: parsed.span, source: item });
      else if (parsed.metric) metricEvents.push({ event: parsed.metric, source: item });
    }

    const spans = await this.#foldSpans(spanEvents);
    const metrics = await this.#foldMetrics(metricEvents);

    const badSpans = await this.#insertResilient(spans.rows, (rows) => this.o.store.insertSpans(rows));
    const badMetrics = await this.#insertResilient(metrics.rows, (rows) => this.o.store.insertMetrics(rows));
    for (const { row, err } of badSpans) letters.push(this.#rowLetter(spans.sources.get(row), err));
    for (const { row, err } of badMetrics) letters.push(this.#rowLetter(metrics.sources.get(row), err));

    if (spans.deleted.length > 0) await this.o.store.deleteMetricsOfSpans(spans.deleted);
    const traces = [...spans.traces.values()];
    const maybeEmpty = dedupe(
      spans.deleted.map(({ projectId, traceId }) => ({ projectId, traceId })),
      traceKeyOf,
    );
    if (traces.length > 0) await this.o.store.refreshTraces(traces, maybeEmpty);
    if (letters.length > 0) await this.o.sendDeadLetters(letters);

    for (const [key, state] of spans.states) this.o.spanCache.set(key, state);
    for (const [key, state] of metrics.states) this.o.metricCache.set(key, state);
    return {
      spans: spans.rows.length,
      metrics: metrics.rows.length,
      traces: traces.length,
      deadLetters: letters.length,
    };
  }

  #parse(item: Pending): { span?: SpanEvent; metric?: MetricEvent } | { reason: string } {
    if (!item.value) return { reason: 'empty message' };
    let json: unknown;
    try {
      json = JSON.parse(item.value.toString('utf8'));
    } catch (err) {
      return { reason: `not JSON: ${(err as Error).message}` };
    }
    if (item.topic === this.o.topics.spans) {
      const r = SpanEvent.safeParse(json);
      return r.success ? { span: r.data } : { reason: `not a SpanEvent: ${summarize(r.error.issues)}` };
    }
    if (item.topic === this.o.topics.metrics) {
      const r = MetricEvent.safeParse(json);
      return r.success ? { metric: r.data } : { reason: `not a MetricEvent: ${summarize(r.error.issues)}` };
    }
    return { reason: `unexpected topic ${item.topic}` };
  }

  async #foldSpans(events: { event: SpanEvent; source: Pending }[]) {
    const states = new Map<string, SpanState>();
    const sources = new Map<SpanRow, Pending>();
    const traces = new Map<string, TraceKey>();
    const keyOf = (e: SpanEvent) => ({ projectId: e.project_id, traceId: e.trace_id, spanId: e.id });

    const missing: SpanKey[] = [];
    for (const { event } of events) {
      const key = spanKeyOf(keyOf(event));
      if (states.has(key)) continue;
      const cached = this.o.spanCache.get(key);
      if (cached) states.set(key, cloneSpan(cached));
      else missing.push(keyOf(event));
    }
    for (const row of await this.o.store.loadSpans(dedupe(missing, spanKeyOf))) {
      states.set(
        spanKeyOf({ projectId: row.project_id, traceId: row.trace_id, spanId: row.span_id }),
        stateFromRow(row),
      );
    }

    const changed = new Set<string>();
    for (const { event, source } of events) {
      const key = spanKeyOf(keyOf(event));
      const { state, changed: didChange } = applySpanEvent(states.get(key), event);
      states.set(key, state);
      if (didChange) {
        changed.add(key);
        sources.set(state.row, source);
        traces.set(traceKeyOf(keyOf(event)), { projectId: event.project_id, traceId: event.trace_id });
      }
    }
    const rows = [...changed].map((k) => states.get(k)!.row);
    const deleted = rows
      .filter((r) => r.deleted === 1)
      .map((r) => ({
        projectId: r.project_id,
        traceId: r.trace_id,
        spanId: r.span_id,
        version: Number(r.version),
      }));
    return { rows, states, sources, traces, deleted };
  }

  async #foldMetrics(events: { event: MetricEvent; source: Pending }[]) {
    const states = new Map<string, MetricState>();
    const sources = new Map<SpanMetricRow, Pending>();
    const keyOf = (e: MetricEvent) => ({ projectId: e.project_id, traceId: e.trace_id, metricId: e.id });
    const missing: MetricKey[] = [];
    for (const { event } of events) {
      const key = metricKeyOf(keyOf(event));
      if (states.has(key)) continue;
      const cached = this.o.metricCache.get(key);
      if (cached) states.set(key, cloneMetric(cached));
      else missing.push(keyOf(event));
    }
    for (const row of await this.o.store.loadMetrics(dedupe(missing, metricKeyOf))) {
      states.set(
        metricKeyOf({ projectId: row.project_id, traceId: row.trace_id, metricId: row.metric_id }),
        metricStateFromRow(row),
      );
    }
    const changed = new Set<string>();
    for (const { event, source } of events) {
      const key = metricKeyOf(keyOf(event));
      const { state, changed: didChange } = applyMetricEvent(states.get(key), event);
      states.set(key, state);
      if (didChange) {
        changed.add(key);
        sources.set(state.row, source);
      }
    }
    return { rows: [...changed].map((k) => states.get(k)!.row), states, sources };
  }

  /**
   * Inserts rows; when ClickHouse refuses them for good (not a retryable failure), halves the batch
   * until the offending rows are found, so one bad row costs a dead letter, not the stream.
   */
  async #insertResilient<R>(
    rows: R[],
    insert: (rows: R[]) => Promise<void>,
  ): Promise<{ row: R; err: AppError }[]> {
    if (rows.length === 0) return [];
    try {
      await insert(rows);
      return [];
    } catch (err) {
      if (!(err instanceof AppError) || err.retryable) throw err;
      if (rows.length === 1) return [{ row: rows[0]!, err }];
      this.o.logger.warn({ err, rows: rows.length }, 'insert refused; bisecting to find the bad rows');
      const mid = Math.ceil(rows.length / 2);
      return [
        ...(await this.#insertResilient(rows.slice(0, mid), insert)),
        ...(await this.#insertResilient(rows.slice(mid), insert)),
      ];
    }
  }

  #deadLetter(item: Pending, reason: string): DeadLetter {
    const text = item.value?.toString('utf8');
    const isText = text !== undefined && Buffer.from(text, 'utf8').equals(item.value!);
    return {
      v: 1,
      source_topic: item.topic,
      partition: item.partition,
      offset: item.offset,
      key: item.key,
      value: item.value ? (isText ? text! : item.value.toString('base64')) : null,
      value_encoding: isText || !item.value ? 'utf8' : 'base64',
      reason,
      failed_at: (this.o.now?.() ?? new Date()).toISOString(),
    };
  }

  #rowLetter(source: Pending | undefined, err: AppError): DeadLetter {
    const item = source ?? { topic: 'unknown', partition: 0, offset: '0', key: null, value: null };
    return this.#deadLetter(item, `ClickHouse refused the row: ${err.message}`);
  }
}

function dedupe<K>(keys: K[], keyOf: (k: K) => string): K[] {
  const seen = new Map<string, K>();
  for (const k of keys) seen.set(keyOf(k), k);
  return [...seen.values()];
}

function summarize(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
