import { AppError, type DeadLetter, topicNames } from '@tracehouse/shared';
import { createLogger, type SpanMetricRow, type SpanRow } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import type { Pending } from './batch-buffer.js';
import { BatchWriter, type WriterStore } from './batch-writer.js';
import type { EntryState } from './entry-state.js';
import type { MetricState } from './metric-state.js';
import type { SpanState } from './span-state.js';
import { StateCache } from './state-cache.js';

const topics = topicNames('t');
const project = '00000000-0000-4000-8000-000000000001';
const trace = '00000000-0000-4000-8000-0000000000bb';
const span = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

let offset = 0;
const message = (topic: string, value: unknown): Pending => ({
  topic,
  partition: 0,
  offset: String(offset++),
  key: trace,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});
const base = (id: string, version: number) => ({
  v: 1,
  version,
  project_id: project,
  id,
  trace_id: trace,
  received_at: '2025-01-01T00:00:00.000000Z',
});
const create = (id: string, version = 10) =>
  message(topics.spans, {
    ...base(id, version),
    kind: 'span.upsert',
    fields: { name: `span-${id.slice(-2)}` },
  });
const patch = (id: string, version: number, fields: object) =>
  message(topics.spans, { ...base(id, version), kind: 'span.patch', fields });

/** ClickHouse as a map keyed like the table's sorting key, keeping the highest version (like FINAL). */
class FakeStore implements WriterStore {
  spans = new Map<string, SpanRow>();
  metrics = new Map<string, SpanMetricRow>();
  inserts = 0;
  refreshed: string[] = [];
  failNext: AppError | undefined;
  refuse: (row: SpanRow) => boolean = () => false;

  async loadSpans(keys: { spanId: string }[]) {
    return keys.map((k) => this.spans.get(k.spanId)).filter((r): r is SpanRow => !!r);
  }
  async loadMetrics() {
    return [];
  }
  async loadEntries() {
    return [];
  }
  async insertEntries() {}
  async insertDatasets() {}
  async insertSpans(rows: SpanRow[]) {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    if (rows.some(this.refuse)) throw new AppError('TH_CLICKHOUSE_INSERT', 'Cannot parse input');
    this.inserts++;
    for (const row of rows) {
      const current = this.spans.get(row.span_id);
      if (!current || Number(current.version) <= Number(row.version)) this.spans.set(row.span_id, { ...row });
    }
  }
  async insertMetrics(rows: SpanMetricRow[]) {
    for (const row of rows) this.metrics.set(row.metric_id, row);
  }
  async deleteMetricsOfSpans() {}
  async refreshTraces(traces: { traceId: string }[]) {
    this.refreshed.push(...traces.map((t) => t.traceId));
  }
}

function setup() {
  const store = new FakeStore();
  const letters: DeadLetter[] = [];
  const spanCache = new StateCache<SpanState>(1e9, () => 100);
  const writer = new BatchWriter({
    store,
    sendDeadLetters: async (l) => void letters.push(...l),
    spanCache,
    metricCache: new StateCache<MetricState>(1e9, () => 100),
    entryCache: new StateCache<EntryState>(1e9, () => 100),
    topics,
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  return { store, letters, writer, spanCache };
}

describe('BatchWriter', () => {
  it('folds a span and its patch from one batch into one row and refreshes the trace once', async () => {
    const { store, writer } = setup();
    const result = await writer.write([create(span(1)), patch(span(1), 20, { output: '"done"' })]);
    expect(result).toMatchObject({ spans: 1, traces: 1, deadLetters: 0 });
    expect(store.spans.get(span(1))).toMatchObject({ name: 'span-01', output: '"done"', version: 20 });
    expect(store.refreshed).toEqual([trace]);
  });

  it('writes nothing again for a redelivered batch', async () => {
    const { store, writer } = setup();
    const batch = [create(span(1)), create(span(2))];
    await writer.write(batch);
    const again = await writer.write(batch);
    expect(again.spans).toBe(0);
    expect(store.inserts).toBe(1);
  });

  it('merges a patch into a stored span it has not cached (after a restart)', async () => {
    const first = setup();
    await first.writer.write([create(span(1))]);
    const restarted = setup();
    restarted.store.spans = first.store.spans;
    await restarted.writer.write([patch(span(1), 30, { meta: { k: 'v' } })]);
    expect(restarted.store.spans.get(span(1))).toMatchObject({
      name: 'span-01',
      meta: { k: '"v"' },
      version: 30,
    });
  });

  it('sends unparseable messages to the dead-letter topic and writes the rest', async () => {
    const { store, letters, writer } = setup();
    const result = await writer.write([
      message(topics.spans, '{not json'),
      message(topics.spans, { v: 1, kind: 'span.upsert' }),
      create(span(3)),
    ]);
    expect(result).toMatchObject({ spans: 1, deadLetters: 2 });
    expect(letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/^not JSON/),
      expect.stringMatching(/^not a SpanEvent/),
    ]);
    expect(letters[0]).toMatchObject({
      source_topic: topics.spans,
      value: '{not json',
      value_encoding: 'utf8',
    });
    expect(store.spans.has(span(3))).toBe(true);
  });

  it('leaves its cache untouched when a retryable insert fails, so the retry writes everything', async () => {
    const { store, writer, spanCache } = setup();
    store.failNext = new AppError('TH_CLICKHOUSE_UNAVAILABLE', 'down', { retryable: true });
    const batch = [create(span(1))];
    await expect(writer.write(batch)).rejects.toMatchObject({ retryable: true });
    expect(spanCache.size).toBe(0);
    expect((await writer.write(batch)).spans).toBe(1);
    expect(store.spans.has(span(1))).toBe(true);
  });

  it('isolates a row ClickHouse refuses for good into a dead letter', async () => {
    const { store, letters, writer } = setup();
    store.refuse = (row) => row.span_id === span(2);
    const result = await writer.write([create(span(1)), create(span(2)), create(span(3))]);
    expect(result.deadLetters).toBe(1);
    expect(letters[0]?.reason).toMatch(/ClickHouse refused the row/);
    expect([...store.spans.keys()].sort()).toEqual([span(1), span(3)]);
  });
});
