/** A fake ClickHouse and records for the writer's unit tests (`*.test.ts` here); not built. */
import { AppError, type DeadLetter, topicNames } from '@tracehouse/shared';
import {
  createLogger,
  encodeJsonEachRow,
  type SpanMetricRow,
  type SpanMetricRowToInsert,
  type SpanRow,
  type StoredLines,
  type StoredTraceSummary,
  storedTextColumns,
  type TraceSummaryRow,
} from '@tracehouse/shared/node';
import type { Pending } from './batch-buffer.js';
import { BatchWriter, type WriterStore } from './batch-writer.js';
import type { EntryState } from './entry-state.js';
import { PackedTraceCache } from './packed-traces.js';
import { StateCache } from './state-cache.js';
import type { TraceKey } from './trace-loader.js';

export const topics = topicNames('t');
export const projectA = '00000000-0000-4000-8000-000000000001';
export const projectB = '00000000-0000-4000-8000-000000000002';
export const trace = '00000000-0000-4000-8000-0000000000bb';
export const span = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

let offset = 0;
/** One record holding these events (ingest groups a request's events by trace). */
export const record = (...events: unknown[]): Pending => ({
  topic: topics.spans,
  partition: 0,
  offset: String(offset++),
  key: trace,
  value: Buffer.from(JSON.stringify(events)),
});
export const base = (id: string, version: number, project = projectA) => ({
  v: 1,
  version,
  project_id: project,
  id,
  trace_id: trace,
  received_at: '2025-01-01T00:00:00.000000Z',
});
export const create = (id: string, version = 10, fields: object = {}, project = projectA) => ({
  ...base(id, version, project),
  kind: 'span.upsert',
  fields: { name: `span-${id.slice(-2)}`, start_time: '2025-01-01T00:00:00.000000Z', ...fields },
});
export const patch = (id: string, version: number, fields: object) => ({
  ...base(id, version),
  kind: 'span.patch',
  fields,
});
export const remove = (id: string, version: number) => ({ ...base(id, version), kind: 'span.delete' });
export const metric = (id: string, spanId: string, version: number) => ({
  ...base(id, version),
  kind: 'metric.upsert',
  span_id: spanId,
  created_at: '2025-01-01T00:00:00.000000Z',
  fields: { dimension: 'score', value: 1 },
});

export const keyOf = (r: { project_id: string; trace_id: string }, id: string) =>
  `${r.project_id}/${r.trace_id}/${id}`;

/** ClickHouse as maps keyed like the tables' sorting keys, keeping the highest version (like FINAL). */
export class FakeStore implements WriterStore {
  spans = new Map<string, SpanRow>();
  metrics = new Map<string, SpanMetricRow>();
  traces = new Map<string, TraceSummaryRow>();
  loads = 0;
  failNext: AppError | undefined;
  refuse: (row: SpanRow) => boolean = () => false;

  async storedTraces(keys: TraceKey[]) {
    const out = new Map<string, StoredTraceSummary>();
    for (const k of keys) {
      const row = this.traces.get(`${k.projectId}/${k.traceId}`);
      const indexedStart = row?.deleted === 0 ? row.start_time : null;
      if (row)
        out.set(`${k.projectId}/${k.traceId}`, {
          version: row.version,
          indexedStart,
          log: row.applied_log,
          offset: row.applied_offset,
        });
    }
    return out;
  }
  async loadTraces(keys: TraceKey[]) {
    this.loads++;
    const wanted = new Set(keys.map((k) => `${k.projectId}/${k.traceId}`));
    const inTraces = (r: { project_id: string; trace_id: string }) =>
      wanted.has(`${r.project_id}/${r.trace_id}`);
    return {
      spans: [...this.spans.values()].filter(inTraces),
      metrics: [...this.metrics.values()].filter(inTraces),
    };
  }
  async loadEntries() {
    return [];
  }
  async insertEntries() {}
  async insertDatasets() {}
  async insertSpans(rows: SpanRow[], stored?: StoredLines) {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    if (rows.some(this.refuse))
      throw new AppError('TH_CLICKHOUSE_INSERT', 'refused', { details: { clickhouseCode: '27' } });
    for (const row of rows) keep(this.spans, keyOf(row, row.span_id), row);
    tellStored(rows, storedTextColumns, stored);
  }
  /** Every metric row inserted, as inserted (the key it replaces included). */
  metricInserts: SpanMetricRowToInsert[] = [];
  async insertMetrics(rows: SpanMetricRowToInsert[], stored?: StoredLines) {
    this.metricInserts.push(...rows);
    tellStored(rows, [], stored);
    // Stored as ClickHouse gives them back: a loaded row never names a key it replaced.
    for (const { replaced_dimension, replaced_span_start_time, passed_points, ...row } of rows)
      keep(this.metrics, keyOf(row, row.metric_id), row);
  }
  /** Summary inserts fail (the writer dies between its row inserts and its summary insert). */
  failTraces = false;
  async insertTraces(rows: TraceSummaryRow[]) {
    if (this.failTraces) throw new AppError('TH_CLICKHOUSE_UNAVAILABLE', 'gone', { retryable: true });
    for (const row of rows) keep(this.traces, `${row.project_id}/${row.trace_id}`, row);
  }
}

/** As the ClickHouse insert does once the rows are stored: their lines, as encoded for it. */
export function tellStored(rows: object[], literalKeys: readonly string[], stored: StoredLines | undefined) {
  const lineEnds: number[] = [];
  if (stored) stored(encodeJsonEachRow(rows, literalKeys, undefined, lineEnds), lineEnds);
}

export function keep<R extends { version: number | string }>(map: Map<string, R>, key: string, row: R) {
  const current = map.get(key);
  if (!current || Number(current.version) <= Number(row.version)) map.set(key, structuredClone(row));
}

export function setup<S extends WriterStore = FakeStore>(store: S = new FakeStore() as unknown as S) {
  const letters: DeadLetter[] = [];
  // Packed, as the service holds traces: every later batch reads its traces back from their buffers.
  const traceCache = new PackedTraceCache(1e9);
  const writer = new BatchWriter({
    store,
    sendDeadLetters: async (l) => void letters.push(...l),
    traceCache,
    entryCache: new StateCache<EntryState>(1e9, () => 100),
    topics,
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  return { store, letters, writer, traceCache };
}

export const stored = (store: FakeStore, id: string, project = projectA) =>
  store.spans.get(`${project}/${trace}/${id}`);
