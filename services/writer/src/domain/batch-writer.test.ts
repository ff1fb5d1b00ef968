import { AppError } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import {
  create,
  FakeStore,
  keyOf,
  metric,
  patch,
  projectA,
  projectB,
  record,
  remove,
  setup,
  span,
  stored,
  trace,
} from './batch-writer.fixtures.js';

describe('BatchWriter', () => {
  it('writes a new trace without reading anything back, with its summary', async () => {
    const { store, writer } = setup();
    const result = await writer.write([
      record(create(span(1), 10, { input: '"q"' }), create(span(2), 11, { parent_id: span(1) })),
      record(patch(span(1), 20, { output: '"done"', end_time: '2025-01-01T00:00:02.000000Z' })),
    ]);
    expect(result).toMatchObject({ spans: 2, traces: 1, loadedTraces: 0, deadLetters: 0 });
    expect(store.loads).toBe(0);
    expect(stored(store, span(1))).toMatchObject({ name: 'span-01', output: '"done"', version: 20 });
    expect(store.traces.get(`${projectA}/${trace}`)).toMatchObject({
      root_span_id: span(1),
      span_count: 2,
      input: '"q"',
      output: '"done"',
      spans_version: 20,
      deleted: 0,
    });
  });

  it('applies events in log order, whatever their clocks say', async () => {
    const { store, writer } = setup();
    // The patch was acknowledged later through an ingest whose clock is 2 s behind.
    await writer.write([record(create(span(1), 3_000_000, { output: '"first"' }))]);
    await writer.write([record(patch(span(1), 1_000_000, { output: '"second"' }))]);
    expect(stored(store, span(1))).toMatchObject({ output: '"second"', version: 3_000_001 });
  });

  it('skips a batch delivered again to the writer that wrote it', async () => {
    const { store, writer } = setup();
    const batch = [record(create(span(1)), create(span(2)))];
    await writer.write(batch);
    const again = await writer.write(batch);
    expect(again).toMatchObject({ spans: 0, traces: 0 });
    expect(stored(store, span(1))?.version).toBe(10);
  });

  it('replays nothing a loaded row already reflects, so a replay cannot tie with a later write', async () => {
    const store = new FakeStore();
    const first = record(create(span(1), 10), patch(span(1), 1_000, { output: '"first"' }));
    await setup(store).writer.write([first]);
    expect(stored(store, span(1))).toMatchObject({ output: '"first"', version: 1_000 });
    // Another writer, holding nothing, gets the record again (the first one's commit failed): applying
    // it again would keep the fields at version 1,001, the version the next patch gets below.
    await setup(store).writer.write([first]);
    expect(stored(store, span(1))).toMatchObject({ output: '"first"', version: 1_000 });
    // The next patch, from an ingest whose clock is behind, is what moves the version.
    await setup(store).writer.write([record(patch(span(1), 500, { output: '"second"' }))]);
    expect(stored(store, span(1))).toMatchObject({ output: '"second"', version: 1_001 });
  });

  it('gives a replayed record to the rows stored without it: a deleted span hides a metric stored before', async () => {
    const store = new FakeStore();
    await setup(store).writer.write([record(create(span(2), 10), metric(span(9), span(2), 11))]);
    const before = structuredClone(store.metrics.get(keyOf(stored(store, span(2))!, span(9)))!);
    const deletion = record(remove(span(2), 20));
    await setup(store).writer.write([deletion]);
    // As if the span's insert had landed and the metric's had not, then the record came again.
    store.metrics.set(keyOf(before, span(9)), before);
    await setup(store).writer.write([deletion]);
    expect(stored(store, span(2))).toMatchObject({ deleted: 1, version: 20 });
    expect(store.metrics.get(keyOf(before, span(9)))).toMatchObject({ deleted: 1 });
  });

  it('reads a stored trace it does not hold, whole, and merges into it (after a restart)', async () => {
    const first = setup();
    await first.writer.write([record(create(span(1), 10, { input: '"q"' }), metric(span(9), span(1), 11))]);
    const restarted = setup(first.store);
    const result = await restarted.writer.write([record(patch(span(1), 30, { meta: { k: 'v' } }))]);
    expect(result.loadedTraces).toBe(1);
    expect(stored(first.store, span(1))).toMatchObject({ name: 'span-01', input: '"q"', meta: { k: '"v"' } });
    expect(first.store.traces.get(`${projectA}/${trace}`)).toMatchObject({ span_count: 1, input: '"q"' });
  });

  it('forgets what it held when partitions move, so another writer’s changes are kept', async () => {
    const a = setup();
    await a.writer.write([record(create(span(1)))]);
    // Writer B owned the partition for a while and patched the span.
    const b = setup(a.store);
    await b.writer.write([record(patch(span(1), 20, { meta: { p1: 1 } }))]);
    a.writer.invalidate();
    await a.writer.write([record(patch(span(1), 30, { meta: { p2: 2 } }))]);
    expect(stored(a.store, span(1))?.meta).toEqual({ p1: '1', p2: '2' });
  });

  it('hides the metrics of a deleted span, and a metric that arrives for it later', async () => {
    const { store, writer } = setup();
    await writer.write([record(create(span(1)), metric(span(7), span(1), 11))]);
    await writer.write([record(remove(span(1), 20), metric(span(8), span(1), 21))]);
    expect(store.metrics.get(`${projectA}/${trace}/${span(7)}`)).toMatchObject({ deleted: 1 });
    expect(store.metrics.get(`${projectA}/${trace}/${span(8)}`)).toMatchObject({ deleted: 1 });
    expect(store.traces.get(`${projectA}/${trace}`)).toMatchObject({ deleted: 1, span_count: 0 });
  });

  it('names the start a summary moves the trace from, also after a restart, so its index row goes', async () => {
    const first = setup();
    const summary = () => first.store.traces.get(`${projectA}/${trace}`);
    await first.writer.write([record(create(span(1), 10, { start_time: '2025-01-01T00:00:05.000000Z' }))]);
    expect(summary()).toMatchObject({ start_time: '2025-01-01 00:00:05.000000', replaced_start_time: null });
    // A child that started earlier arrives later: the trace now starts with it.
    await first.writer.write([
      record(create(span(2), 20, { parent_id: span(1), start_time: '2025-01-01T00:00:03.000000Z' })),
    ]);
    expect(summary()).toMatchObject({
      start_time: '2025-01-01 00:00:03.000000',
      replaced_start_time: '2025-01-01 00:00:05.000000',
    });
    // A change that keeps the start replaces nothing.
    await first.writer.write([record(patch(span(1), 30, { meta: { k: 1 } }))]);
    expect(summary()).toMatchObject({ replaced_start_time: null });
    // A writer that loads the trace learns its indexed start from the stored summary.
    const restarted = setup(first.store);
    await restarted.writer.write([record(patch(span(2), 40, { start_time: '2025-01-01T00:00:01.000000Z' }))]);
    expect(summary()).toMatchObject({
      start_time: '2025-01-01 00:00:01.000000',
      replaced_start_time: '2025-01-01 00:00:03.000000',
    });
    // No live span left: the tombstone deletes the index row at the last start.
    await restarted.writer.write([record(remove(span(1), 50), remove(span(2), 51))]);
    expect(summary()).toMatchObject({ deleted: 1, replaced_start_time: '2025-01-01 00:00:01.000000' });
  });

  it('keeps two projects that share a trace id apart', async () => {
    const { store, writer } = setup();
    await writer.write([
      record(
        create(span(1), 10, { input: '"a"' }, projectA),
        create(span(1), 10, { input: '"b"' }, projectB),
      ),
    ]);
    expect(store.traces.get(`${projectA}/${trace}`)?.input).toBe('"a"');
    expect(store.traces.get(`${projectB}/${trace}`)?.input).toBe('"b"');
  });

  it('dead-letters the one bad event of a record and writes the rest', async () => {
    const { store, letters, writer } = setup();
    const bad = { v: 1, kind: 'span.upsert' };
    const result = await writer.write([
      { ...record(), value: Buffer.from('{not json') },
      record(create(span(1)), bad, create(span(3))),
    ]);
    expect(result).toMatchObject({ spans: 2, deadLetters: 2 });
    expect(letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/^not JSON/),
      expect.stringMatching(/^not a SpanEvent/),
    ]);
    expect(letters[1]?.value).toBe(JSON.stringify(bad));
    expect(stored(store, span(3))).toBeDefined();
  });

  it('leaves its cache untouched when a retryable insert fails, so the retry writes everything', async () => {
    const { store, writer, traceCache } = setup();
    store.failNext = new AppError('TH_CLICKHOUSE_UNAVAILABLE', 'down', { retryable: true });
    const batch = [record(create(span(1)))];
    await expect(writer.write(batch)).rejects.toMatchObject({ retryable: true });
    expect(traceCache.size).toBe(0);
    expect((await writer.write(batch)).spans).toBe(1);
    expect(stored(store, span(1))).toBeDefined();
  });

  it('dead-letters every event folded into a refused row, without its text, and caches none of it', async () => {
    const { store, letters, writer, traceCache } = setup();
    store.refuse = (row) => row.span_id === span(2);
    const result = await writer.write([
      record(create(span(1)), create(span(2)), patch(span(2), 12, { output: '"x"' }), create(span(3))),
    ]);
    expect(result.deadLetters).toBe(2);
    expect(letters.map((l) => l.reason)).toEqual([
      'ClickHouse refused the span row: TH_CLICKHOUSE_INSERT ClickHouse code 27',
      'ClickHouse refused the span row: TH_CLICKHOUSE_INSERT ClickHouse code 27',
    ]);
    expect(stored(store, span(2))).toBeUndefined();
    expect(store.traces.get(`${projectA}/${trace}`)?.span_count).toBe(2);
    expect(traceCache.size).toBe(0);
  });

  it('names the key a metric moves from (dimension or span start), also after a restart, so its point goes', async () => {
    const first = setup();
    const inserted = () => first.store.metricInserts.at(-1);
    await first.writer.write([record(create(span(1))), record(metric(span(7), span(1), 11))]);
    expect(inserted()).not.toHaveProperty('replaced_dimension');
    await first.writer.write([record(patch(span(1), 20, { start_time: '2025-01-01T00:00:09.000000Z' }))]);
    expect(inserted()).toMatchObject({
      span_start_time: '2025-01-01 00:00:09.000000',
      replaced_dimension: 'score',
      replaced_span_start_time: '2025-01-01 00:00:00.000000',
    });
    // A new value at the same key replaces nothing.
    const update = (version: number, fields: object) => ({
      ...metric(span(7), span(1), version),
      kind: 'metric.patch',
      fields,
    });
    await first.writer.write([record(update(30, { value: 2 }))]);
    expect(inserted()).toMatchObject({ value: 2 });
    expect(inserted()).not.toHaveProperty('replaced_dimension');
    // A writer that loads the trace knows the key from the stored row.
    const restarted = setup(first.store);
    await restarted.writer.write([record(update(40, { dimension: 'quality' }))]);
    expect(restarted.store.metricInserts.at(-1)).toMatchObject({
      dimension: 'quality',
      replaced_dimension: 'score',
      replaced_span_start_time: '2025-01-01 00:00:09.000000',
    });
  });

  it("copies the span's name, start and tags onto its metrics, also when the metric came first or the tags change", async () => {
    const { store, writer } = setup();
    const m = (id: string) => store.metrics.get(`${projectA}/${trace}/${id}`);
    await writer.write([record(metric(span(7), span(1), 5))]);
    expect(m(span(7))).toMatchObject({ span_name: '', span_tags: {} });
    await writer.write([record(create(span(1), 10, { tags: { env: 'prod' } }))]);
    expect(m(span(7))).toMatchObject({
      span_name: 'span-01',
      span_start_time: '2025-01-01 00:00:00.000000',
      span_tags: { env: 'prod' },
    });
    await writer.write([record(patch(span(1), 20, { tags: { model: 'x' } }), metric(span(8), span(1), 21))]);
    expect(m(span(7))?.span_tags).toEqual({ env: 'prod', model: 'x' });
    expect(m(span(8))?.span_tags).toEqual({ env: 'prod', model: 'x' });
  });
});
