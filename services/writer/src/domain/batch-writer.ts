import {
  AppError,
  DatasetEvent,
  type DeadLetter,
  MetricEvent,
  SpanEvent,
  type TopicNames,
} from '@tracehouse/shared';
import type {
  DatasetEntryRow,
  DatasetRow,
  KnownRoot,
  Logger,
  SpanMetricRow,
  SpanRow,
} from '@tracehouse/shared/node';
import type { Pending } from './batch-buffer.js';
import { applyEntryEvent, type EntryState, entryStateFromRow } from './entry-state.js';
import { type Folded, type FoldKind, fold } from './fold.js';
import { applyMetricEvent, type MetricState, metricStateFromRow } from './metric-state.js';
import { applySpanEvent, type SpanState, stateFromRow, toClickHouseTime } from './span-state.js';
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
export interface EntryKey {
  projectId: string;
  datasetId: string;
  entryId: string;
}
export interface TraceKey {
  projectId: string;
  traceId: string;
}

/** What the writer needs from ClickHouse (tables/*.ts in shared), injected so the logic is testable. */
export interface WriterStore {
  loadSpans(keys: SpanKey[]): Promise<SpanRow[]>;
  loadMetrics(keys: MetricKey[]): Promise<SpanMetricRow[]>;
  loadEntries(keys: EntryKey[]): Promise<DatasetEntryRow[]>;
  insertSpans(rows: SpanRow[]): Promise<void>;
  insertMetrics(rows: SpanMetricRow[]): Promise<void>;
  insertEntries(rows: DatasetEntryRow[]): Promise<void>;
  insertDatasets(rows: DatasetRow[]): Promise<void>;
  /** Hides the metrics of deleted spans (deleted = 1 at the given version). */
  deleteMetricsOfSpans(spans: (SpanKey & { version: number })[]): Promise<void>;
  /**
   * Recomputes the summaries of these traces from their spans; `maybeEmpty` had deletes; `roots` are
   * root spans this batch wrote (keyed `project/trace`), whose content need not be read back.
   */
  refreshTraces(traces: TraceKey[], maybeEmpty: TraceKey[], roots: Map<string, KnownRoot>): Promise<void>;
}

export interface BatchWriterOptions {
  store: WriterStore;
  /** Resolves once the dead letters are in Kafka. */
  sendDeadLetters: (letters: DeadLetter[]) => Promise<void>;
  spanCache: StateCache<SpanState>;
  metricCache: StateCache<MetricState>;
  entryCache: StateCache<EntryState>;
  topics: TopicNames;
  logger: Logger;
  now?: () => Date;
}

export interface BatchResult {
  spans: number;
  metrics: number;
  entries: number;
  traces: number;
  deadLetters: number;
}

type Sourced<E> = { event: E; source: Pending }[];

const traceKeyOf = (k: TraceKey) => `${k.projectId}/${k.traceId}`;

/**
 * Writes one consumed batch: parses events (bad ones become dead letters), folds them into the
 * current states (cache, else ClickHouse), inserts complete rows, hides metrics of deleted spans and
 * refreshes touched trace summaries. The caches change only after everything succeeded, so a failed
 * batch can be retried as a whole. See docs/WRITE-PATH.md §3.
 */
export class BatchWriter {
  readonly #spans: FoldKind<SpanEvent, SpanState, SpanRow>;
  readonly #metrics: FoldKind<MetricEvent, MetricState, SpanMetricRow>;
  readonly #entries: FoldKind<DatasetEvent, EntryState, DatasetEntryRow>;

  constructor(private readonly o: BatchWriterOptions) {
    const { store } = o;
    this.#spans = {
      keyOfEvent: (e) => `${e.project_id}/${e.trace_id}/${e.id}`,
      keyOfRow: (r) => `${r.project_id}/${r.trace_id}/${r.span_id}`,
      cache: o.spanCache,
      clone: (s) => ({
        row: { ...s.row, meta: { ...s.row.meta }, tags: { ...s.row.tags } },
        versions: new Map(s.versions),
      }),
      load: (events) =>
        store.loadSpans(events.map((e) => ({ projectId: e.project_id, traceId: e.trace_id, spanId: e.id }))),
      fromRow: stateFromRow,
      apply: applySpanEvent,
    };
    this.#metrics = {
      keyOfEvent: (e) => `${e.project_id}/${e.trace_id}/${e.id}`,
      keyOfRow: (r) => `${r.project_id}/${r.trace_id}/${r.metric_id}`,
      cache: o.metricCache,
      clone: (s) => ({ row: { ...s.row }, versions: new Map(s.versions) }),
      load: (events) =>
        store.loadMetrics(
          events.map((e) => ({ projectId: e.project_id, traceId: e.trace_id, metricId: e.id })),
        ),
      fromRow: metricStateFromRow,
      apply: applyMetricEvent,
    };
    this.#entries = {
      keyOfEvent: (e) => `${e.project_id}/${e.dataset_id}/${e.id}`,
      keyOfRow: (r) => `${r.project_id}/${r.dataset_id}/${r.entry_id}`,
      cache: o.entryCache,
      clone: (s) => ({ row: { ...s.row }, versions: new Map(s.versions) }),
      load: (events) =>
        store.loadEntries(
          events.map((e) => ({ projectId: e.project_id, datasetId: e.dataset_id, entryId: e.id })),
        ),
      fromRow: entryStateFromRow,
      apply: applyEntryEvent,
    };
  }

  async write(items: Pending[]): Promise<BatchResult> {
    const letters: DeadLetter[] = [];
    const spanEvents: Sourced<SpanEvent> = [];
    const metricEvents: Sourced<MetricEvent> = [];
    const entryEvents: Sourced<DatasetEvent> = [];
    for (const item of items) {
      const parsed = this.#parse(item);
      if ('reason' in parsed) letters.push(this.#deadLetter(item, parsed.reason));
      else if (parsed.span) spanEvents.push({ event: parsed.span, source: item });
      else if (parsed.metric) metricEvents.push({ event: parsed.metric, source: item });
      else if (parsed.entry) entryEvents.push({ event: parsed.entry, source: item });
    }
    const { store } = this.o;

    const spans = await fold(this.#spans, spanEvents);
    const metrics = await fold(this.#metrics, metricEvents);
    const entries = await fold(this.#entries, entryEvents);

    letters.push(...(await this.#insertResilient(spans, (rows) => store.insertSpans(rows))));
    letters.push(...(await this.#insertResilient(metrics, (rows) => store.insertMetrics(rows))));
    const datasets = datasetsOf(entryEvents);
    if (datasets.length > 0) await store.insertDatasets(datasets);
    letters.push(...(await this.#insertResilient(entries, (rows) => store.insertEntries(rows))));

    const deleted = spans.rows
      .filter((r) => r.deleted === 1)
      .map((r) => ({
        projectId: r.project_id,
        traceId: r.trace_id,
        spanId: r.span_id,
        version: Number(r.version),
      }));
    if (deleted.length > 0) await store.deleteMetricsOfSpans(deleted);
    const traces = dedupe(
      spans.rows.map((r) => ({ projectId: r.project_id, traceId: r.trace_id })),
      traceKeyOf,
    );
    const maybeEmpty = dedupe(
      deleted.map(({ projectId, traceId }) => ({ projectId, traceId })),
      traceKeyOf,
    );
    const roots = new Map<string, KnownRoot>();
    for (const r of spans.rows) {
      if (r.parent_id === null && r.deleted === 0 && r.name !== '') {
        roots.set(`${r.project_id}/${r.trace_id}`, { spanId: r.span_id, input: r.input, output: r.output });
      }
    }
    if (traces.length > 0) await store.refreshTraces(traces, maybeEmpty, roots);
    if (letters.length > 0) await this.o.sendDeadLetters(letters);

    for (const [key, state] of spans.states) this.o.spanCache.set(key, state);
    for (const [key, state] of metrics.states) this.o.metricCache.set(key, state);
    for (const [key, state] of entries.states) this.o.entryCache.set(key, state);
    return {
      spans: spans.rows.length,
      metrics: metrics.rows.length,
      entries: entries.rows.length,
      traces: traces.length,
      deadLetters: letters.length,
    };
  }

  #parse(
    item: Pending,
  ): { span?: SpanEvent; metric?: MetricEvent; entry?: DatasetEvent } | { reason: string } {
    if (!item.value) return { reason: 'empty message' };
    let json: unknown;
    try {
      json = JSON.parse(item.value.toString('utf8'));
    } catch (err) {
      return { reason: `not JSON: ${(err as Error).message}` };
    }
    const { topics } = this.o;
    if (item.topic === topics.spans) {
      const r = SpanEvent.safeParse(json);
      return r.success ? { span: r.data } : { reason: `not a SpanEvent: ${summarize(r.error.issues)}` };
    }
    if (item.topic === topics.metrics) {
      const r = MetricEvent.safeParse(json);
      return r.success ? { metric: r.data } : { reason: `not a MetricEvent: ${summarize(r.error.issues)}` };
    }
    if (item.topic === topics.datasets) {
      const r = DatasetEvent.safeParse(json);
      return r.success ? { entry: r.data } : { reason: `not a DatasetEvent: ${summarize(r.error.issues)}` };
    }
    return { reason: `unexpected topic ${item.topic}` };
  }

  /**
   * Inserts rows; when ClickHouse refuses them for good (not a retryable failure), halves the batch
   * until the offending rows are found, so one bad row costs a dead letter, not the stream.
   */
  async #insertResilient<R>(
    folded: Folded<{ row: R }, R>,
    insert: (rows: R[]) => Promise<void>,
  ): Promise<DeadLetter[]> {
    const refused = await this.#bisect(folded.rows, insert);
    return refused.map(({ row, err }) => this.#rowLetter(folded.sources.get(row), err));
  }

  async #bisect<R>(rows: R[], insert: (rows: R[]) => Promise<void>): Promise<{ row: R; err: AppError }[]> {
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
        ...(await this.#bisect(rows.slice(0, mid), insert)),
        ...(await this.#bisect(rows.slice(mid), insert)),
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

/** Datasets named by entry upserts, registered once per batch with their earliest entry's time. */
function datasetsOf(events: Sourced<DatasetEvent>): DatasetRow[] {
  const byId = new Map<string, DatasetRow>();
  for (const { event } of events) {
    if (event.kind !== 'dataset.entry.upsert') continue;
    const key = `${event.project_id}/${event.dataset_id}`;
    const current = byId.get(key);
    const created = toClickHouseTime(event.created_at);
    if (!current || created < current.created_at) {
      byId.set(key, {
        project_id: event.project_id,
        dataset_id: event.dataset_id,
        name: event.dataset_name,
        created_at: created,
        version: event.version,
      });
    }
  }
  return [...byId.values()];
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
