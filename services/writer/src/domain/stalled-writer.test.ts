import type { TraceSummaryRow } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import {
  create,
  FakeStore,
  metric,
  patch,
  projectA,
  record,
  remove,
  setup,
  span,
  trace,
} from './batch-writer.fixtures.js';
import type { WriterStore } from './batch-writer.js';

/**
 * A writer that stalls past its session timeout (a long GC pause, SIGSTOP) resumes a batch whose
 * partition another writer owns by now: its inserts land late, after the new owner's. What it stores
 * must never win over what the new owner stored from more of the log (docs/WRITE-PATH.md §3).
 */

/** The store as a writer sees it, whose inserts can be held (the writer stalls before them). */
function stallable(store: FakeStore) {
  const gates: Partial<Record<'spans' | 'traces', Promise<void>>> = {};
  let releaseAll = () => {};
  let reachedTraces = () => {};
  const view: WriterStore = {
    storedTraces: (k) => store.storedTraces(k),
    loadTraces: (k) => store.loadTraces(k),
    loadEntries: () => store.loadEntries(),
    insertEntries: () => store.insertEntries(),
    insertDatasets: () => store.insertDatasets(),
    insertMetrics: (rows, lines) => store.insertMetrics(rows, lines),
    insertSpans: async (rows, lines) => {
      await gates.spans;
      await store.insertSpans(rows as Parameters<FakeStore['insertSpans']>[0], lines);
    },
    insertTraces: async (rows) => {
      reachedTraces();
      await gates.traces;
      await store.insertTraces(rows);
    },
  };
  return {
    view,
    /**
     * Holds the inserts from `from` on until `release`; resolves when the writer has reached its
     * summary insert (so, stalled before the summaries, its span rows are stored).
     */
    stall(from: 'spans' | 'traces'): Promise<void> {
      const gate = new Promise<void>((r) => {
        releaseAll = r;
      });
      gates.traces = gate;
      if (from === 'spans') gates.spans = gate;
      return new Promise<void>((r) => {
        reachedTraces = r;
      });
    },
    release: () => releaseAll(),
  };
}

const at = (second: number) => `2025-01-01T00:00:0${second}.000000Z`;
const summary = (store: FakeStore) => store.traces.get(`${projectA}/${trace}`) as TraceSummaryRow;

describe('a writer stalled past its session timeout', () => {
  it.each(['spans', 'traces'] as const)(
    "cannot store a summary over the new owner's (stalled before inserting its %s)",
    async (stalledBefore) => {
      const store = new FakeStore();
      const held = stallable(store);
      const stalled = setup(held.view);
      await stalled.writer.write([
        record(
          create(span(1), 10, { start_time: at(5) }),
          create(span(2), 11, { parent_id: span(1), start_time: at(6) }),
        ),
      ]);
      expect(summary(store)).toMatchObject({ span_count: 2, start_time: '2025-01-01 00:00:05.000000' });

      // A child that started earlier moves the trace's start, and the other child is patched; the writer
      // stalls before storing it all.
      const child = record(
        create(span(3), 100, { parent_id: span(1), start_time: at(1) }),
        patch(span(2), 101, { meta: { k: 1 } }),
      );
      const reached = held.stall(stalledBefore);
      const late = stalled.writer.write([child]);
      if (stalledBefore === 'traces') await reached;

      // The new owner gets the record again, then the child's deletion through an ingest whose clock is
      // 2 s behind: no span version passes 101, the newest before it.
      const owner = setup(store);
      await owner.writer.write([child, record(remove(span(3), 50))]);
      const owners = summary(store);
      expect(owners).toMatchObject({ span_count: 2, start_time: '2025-01-01 00:00:05.000000' });
      // The start the trace had after the child: a stalled writer's index row there is deleted.
      expect(owners.passed_start_times).toEqual(['2025-01-01 00:00:01.000000']);

      held.release();
      await late;
      expect(summary(store)).toEqual(owners);
    },
  );

  it('leaves no summary behind the rows it stored before it was stopped', async () => {
    const store = new FakeStore();
    const first = setup(store);
    await first.writer.write([record(create(span(1)), create(span(2)), create(span(3)))]);
    // The next batch's rows are stored, then the writer dies before its summary insert.
    store.failTraces = true;
    const deletion = record(remove(span(3), 20));
    await expect(first.writer.write([deletion])).rejects.toThrow();
    expect(summary(store)).toMatchObject({ span_count: 3 });
    store.failTraces = false;

    // The next owner finds every record of the batch reflected by the stored rows: it changes no row,
    // and still writes the summary.
    const next = setup(store);
    const result = await next.writer.write([deletion]);
    expect(result).toMatchObject({ spans: 0, traces: 1 });
    expect(summary(store)).toMatchObject({ span_count: 2 });
    // Delivered once more, the batch has nothing new for the summary.
    expect(await next.writer.write([deletion])).toMatchObject({ traces: 0 });
  });

  it('names every start the trace passed through in one batch, so no index row stays there', async () => {
    const { store, writer } = setup();
    await writer.write([record(create(span(1), 10, { start_time: at(9) }))]);
    await writer.write([
      record(create(span(2), 20, { parent_id: span(1), start_time: at(5) })),
      record(create(span(3), 21, { parent_id: span(1), start_time: at(3) })),
      record(patch(span(3), 22, { start_time: at(4) })),
    ]);
    expect(summary(store)).toMatchObject({
      start_time: '2025-01-01 00:00:04.000000',
      replaced_start_time: '2025-01-01 00:00:09.000000',
      passed_start_times: ['2025-01-01 00:00:05.000000', '2025-01-01 00:00:03.000000'],
    });
  });

  it('names every key a metric passed through in one batch, so no point stays there', async () => {
    const { store, writer } = setup();
    await writer.write([record(create(span(1))), record(metric(span(7), span(1), 11))]);
    const update = (version: number, dimension: string) => ({
      ...metric(span(7), span(1), version),
      kind: 'metric.patch',
      fields: { dimension },
    });
    await writer.write([record(update(20, 'quality')), record(update(21, 'speed'))]);
    expect(store.metricInserts.at(-1)).toMatchObject({
      dimension: 'speed',
      replaced_dimension: 'score',
      passed_points: [['quality', '2025-01-01 00:00:00.000000']],
    });
    // A key the metric only had inside one record is no record's state: nobody stored it.
    await writer.write([record(update(30, 'latency'), update(31, 'cost'))]);
    expect(store.metricInserts.at(-1)).toMatchObject({ dimension: 'cost', replaced_dimension: 'speed' });
    expect(store.metricInserts.at(-1)).not.toHaveProperty('passed_points');
  });
});
