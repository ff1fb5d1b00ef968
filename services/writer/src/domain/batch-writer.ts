import type { AppError, DatasetEvent, DeadLetter, MetricEvent, TopicNames } from '@tracehouse/shared';
import type {
  DatasetEntryRow,
  DatasetRow,
  Logger,
  SpanMetricRow,
  SpanMetricRowToInsert,
  SpanRowToInsert,
  StoredLines,
  TraceSummaryRow,
} from '@tracehouse/shared/node';
import type { Pending } from './batch-buffer.js';
import { deadLetter, refusalReason } from './dead-letters.js';
import { applyEntryEvent, type EntryState, entryStateFromRow } from './entry-state.js';
import { type FoldKind, fold } from './fold.js';
import { StoredRowLines, type TraceCache } from './packed-traces.js';
import { decodeBatch, type Sourced, type WriterSpanEvent } from './record-events.js';
import { insertOrBisect } from './resilient-insert.js';
import { toClickHouseTime } from './span-state.js';
import type { StateCache } from './state-cache.js';
import { applyRecords, needsSummary, type TraceBatch } from './trace-batch.js';
import { type TraceKey, type TraceReads, traceKeyOf, traceStates } from './trace-loader.js';
import { summarizeTrace } from './trace-summary.js';

export interface EntryKey {
  projectId: string;
  datasetId: string;
  entryId: string;
}

/** What the writer needs from ClickHouse (tables/*.ts in shared), injected so the logic is testable. */
export interface WriterStore extends TraceReads {
  loadEntries(keys: EntryKey[]): Promise<DatasetEntryRow[]>;
  /** `stored`, when given, is told the rows' lines once they are stored (`StoredRowLines`). */
  insertSpans(rows: SpanRowToInsert[], stored?: StoredLines): Promise<void>;
  insertMetrics(rows: SpanMetricRowToInsert[], stored?: StoredLines): Promise<void>;
  insertTraces(rows: TraceSummaryRow[]): Promise<void>;
  insertEntries(rows: DatasetEntryRow[]): Promise<void>;
  insertDatasets(rows: DatasetRow[]): Promise<void>;
}

export interface BatchWriterOptions {
  store: WriterStore;
  /** Resolves once the dead letters are in Kafka. */
  sendDeadLetters: (letters: DeadLetter[]) => Promise<void>;
  traceCache: TraceCache;
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
  /** Traces read back from ClickHouse (not held by this writer). */
  loadedTraces: number;
  deadLetters: number;
}

type Source = Sourced<unknown>;

/**
 * Writes one consumed batch: decodes events (bad ones become dead letters), applies them in log order
 * to the states of their traces, inserts the changed span and metric rows and the touched traces'
 * summaries, and only then caches the new states. A failed batch is retried whole from the states it
 * started with. See docs/WRITE-PATH.md §3.
 */
export class BatchWriter {
  readonly #entries: FoldKind<DatasetEvent, EntryState, DatasetEntryRow>;
  /** Bumped when partitions may have moved: a batch that started before must not fill the cache. */
  #epoch = 0;

  constructor(private readonly o: BatchWriterOptions) {
    this.#entries = {
      keyOfEvent: (e) => `${e.project_id}/${e.dataset_id}/${e.id}`,
      keyOfRow: (r) => `${r.project_id}/${r.dataset_id}/${r.entry_id}`,
      cache: o.entryCache,
      clone: (s) => ({ row: { ...s.row }, versions: new Map(s.versions) }),
      load: (events) =>
        o.store.loadEntries(
          events.map((e) => ({ projectId: e.project_id, datasetId: e.dataset_id, entryId: e.id })),
        ),
      fromRow: entryStateFromRow,
      apply: applyEntryEvent,
    };
  }

  /**
   * Forgets every cached state. Called when the consumer group reassigns partitions: a trace this
   * writer held may have been written by another writer meanwhile.
   */
  invalidate(): void {
    this.#epoch++;
    this.o.traceCache.clear();
    this.o.entryCache.clear();
  }

  async write(items: Pending[]): Promise<BatchResult> {
    const epoch = this.#epoch;
    const now = this.o.now?.() ?? new Date();
    const decoded = decodeBatch(items, this.o.topics);
    const letters = decoded.refused.map((r) => deadLetter(r.source, r.reason, now, r.event));

    const touched = await this.#apply(decoded.traceEvents);
    const loadedTraces = touched.loaded;
    const spanRows: SpanRowToInsert[] = [];
    const metricRows: SpanMetricRowToInsert[] = [];
    const sourcesOf = new Map<object, Source[]>();
    for (const t of touched.traces) {
      for (const [id, sources] of t.changes.spans) {
        const row = t.next.spans.get(id)!;
        spanRows.push(row);
        sourcesOf.set(row, sources);
      }
      for (const [id, sources] of t.changes.metrics) {
        const row = withReplacedPoints(
          t.next.metrics.get(id)!,
          t.base.metrics.get(id),
          t.points.get(id)?.values(),
        );
        metricRows.push(row);
        sourcesOf.set(row, sources);
      }
    }
    const { logger, store } = this.o;
    const lines = new StoredRowLines();
    const [refusedSpans, refusedMetrics] = await Promise.all([
      insertOrBisect(spanRows, (rows) => store.insertSpans(rows, lines.keep(rows)), logger),
      insertOrBisect(metricRows, (rows) => store.insertMetrics(rows, lines.keep(rows)), logger),
    ]);
    const tainted = new Set<string>();
    const refuse = (refused: { row: SpanRowToInsert | SpanMetricRow; err: AppError }[], what: string) => {
      for (const { row, err } of refused) {
        tainted.add(traceKeyOf({ projectId: row.project_id, traceId: row.trace_id }));
        for (const s of sourcesOf.get(row) ?? [])
          letters.push(deadLetter(s.source, refusalReason(what, err), now, s.event));
      }
    };
    refuse(refusedSpans, 'the span row');
    refuse(refusedMetrics, 'the metric row');
    // A refused row is not stored: the summary must not count it, and nothing of its trace is cached.
    for (const t of touched.traces) if (tainted.has(t.key)) revertRefused(t, refusedSpans, refusedMetrics);

    const summaries = touched.traces
      .filter(needsSummary)
      .map((t) => ({ t, row: summarizeTrace(t.next, t.position, t.starts) }));
    const [refusedSummaries, entries] = await Promise.all([
      insertOrBisect(
        summaries.map((s) => s.row),
        (rows) => store.insertTraces(rows),
        logger,
      ),
      this.#writeEntries(decoded.entryEvents, letters, now),
    ]);
    for (const { row, err } of refusedSummaries) {
      tainted.add(traceKeyOf({ projectId: row.project_id, traceId: row.trace_id }));
      letters.push(this.#summaryLetter(row, err, now));
    }
    for (const s of summaries) {
      s.t.next.summaryVersion = s.row.version;
      s.t.next.summaryLog = s.row.applied_log;
      s.t.next.summaryOffset = s.row.applied_offset;
      s.t.next.indexedStart = s.row.deleted === 1 ? null : s.row.start_time;
    }
    if (letters.length > 0) await this.o.sendDeadLetters(letters);

    if (epoch === this.#epoch) {
      for (const t of touched.traces) {
        if (tainted.has(t.key)) this.o.traceCache.delete(t.key);
        else this.o.traceCache.set(t.key, t.next, lines);
      }
    }
    return {
      spans: spanRows.length - refusedSpans.length,
      metrics: metricRows.length - refusedMetrics.length,
      entries,
      traces: summaries.length - refusedSummaries.length,
      loadedTraces,
      deadLetters: letters.length,
    };
  }

  /** Groups events by trace and applies them, in order, to copies of the traces' current states. */
  async #apply(events: Sourced<WriterSpanEvent | MetricEvent>[]) {
    const byTrace = new Map<string, { key: TraceKey; events: typeof events }>();
    for (const e of events) {
      const key = { projectId: e.event.project_id, traceId: e.event.trace_id };
      const k = traceKeyOf(key);
      let group = byTrace.get(k);
      if (!group) {
        group = { key, events: [] };
        byTrace.set(k, group);
      }
      group.events.push(e);
    }
    const { states, loaded } = await traceStates(
      [...byTrace.values()].map((g) => g.key),
      this.o.traceCache,
      this.o.store,
    );
    const traces: TraceBatch[] = [];
    for (const [key, group] of byTrace)
      traces.push(applyRecords(key, states.get(key)!, group.events, this.o.topics.spans));
    return { traces, loaded };
  }

  async #writeEntries(events: Sourced<DatasetEvent>[], letters: DeadLetter[], now: Date): Promise<number> {
    if (events.length === 0) return 0;
    const { store, logger } = this.o;
    const folded = await fold(this.#entries, events);
    const datasets = datasetsOf(events);
    const [refusedDatasets, refusedEntries] = await Promise.all([
      insertOrBisect(datasets, (rows) => store.insertDatasets(rows), logger),
      insertOrBisect(folded.rows, (rows) => store.insertEntries(rows), logger),
    ]);
    for (const { row, err } of refusedDatasets) {
      const source = events.find((e) => e.event.dataset_id === row.dataset_id)!;
      letters.push(deadLetter(source.source, refusalReason('the dataset row', err), now, source.event));
    }
    for (const { row, err } of refusedEntries) {
      const source = folded.sources.get(row);
      if (source) letters.push(deadLetter(source, refusalReason('the dataset entry row', err), now));
      this.#entries.cache.delete(this.#entries.keyOfRow(row));
      folded.states.delete(this.#entries.keyOfRow(row));
    }
    for (const [key, state] of folded.states) this.#entries.cache.set(key, state);
    return folded.rows.length - refusedEntries.length;
  }

  #summaryLetter(row: TraceSummaryRow, err: AppError, now: Date): DeadLetter {
    const source: Pending = {
      topic: this.o.topics.spans,
      partition: 0,
      offset: '0',
      key: row.trace_id,
      value: null,
    };
    return deadLetter(
      source,
      refusalReason(`the summary of trace ${row.project_id}/${row.trace_id}`, err),
      now,
      {
        project_id: row.project_id,
        trace_id: row.trace_id,
      },
    );
  }
}

/**
 * The row to insert for a changed metric: when it moves the metric to another dimension or span start,
 * it names the key the metric had (migration 0014) and the keys it passed in the batch (0018), so its
 * points there are deleted. A copy: the row the trace holds must not carry them into a later batch.
 */
function withReplacedPoints(
  row: SpanMetricRow,
  before: SpanMetricRow | undefined,
  passedKeys: Iterable<[string, string]> = [],
): SpanMetricRowToInsert {
  const same = (m: SpanMetricRow | undefined, dimension: string, start: string | undefined) =>
    m !== undefined && m.dimension === dimension && m.span_start_time === start;
  const replaced =
    before !== undefined && before.dimension !== '' && !same(row, before.dimension, before.span_start_time);
  const passed = [...passedKeys].filter(([d, s]) => !same(row, d, s) && !same(before, d, s));
  if (!replaced && passed.length === 0) return row;
  const copy: SpanMetricRowToInsert = { ...row };
  if (replaced) {
    copy.replaced_dimension = before.dimension;
    copy.replaced_span_start_time = before.span_start_time;
  }
  if (passed.length > 0) copy.passed_points = passed;
  return copy;
}

/** Puts the refused rows of a trace back as they were before the batch. */
function revertRefused(
  t: TraceBatch,
  spans: { row: SpanRowToInsert }[],
  metrics: { row: SpanMetricRow }[],
): void {
  for (const { row } of spans) {
    if (row.trace_id !== t.next.traceId || row.project_id !== t.next.projectId) continue;
    const before = t.base.spans.get(row.span_id);
    if (before) t.next.spans.set(row.span_id, before);
    else t.next.spans.delete(row.span_id);
  }
  for (const { row } of metrics) {
    if (row.trace_id !== t.next.traceId || row.project_id !== t.next.projectId) continue;
    const before = t.base.metrics.get(row.metric_id);
    if (before) t.next.metrics.set(row.metric_id, before);
    else t.next.metrics.delete(row.metric_id);
  }
}

/** Datasets named by entry upserts, registered once per batch with their earliest entry's time. */
function datasetsOf(events: Sourced<DatasetEvent>[]): DatasetRow[] {
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
