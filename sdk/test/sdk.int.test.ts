import { randomUUID } from 'node:crypto';
import { Stack } from '@tracehouse/test-support/stack';
import { Tracehouse, TracehouseError } from 'tracehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every resource call of the SDK against the real stack (ingest + writer on Kafka and ClickHouse):
 * the server's answers must parse into the SDK's types and its errors into `TracehouseError`.
 * The usage-guide flow itself is covered by test/sdk/tracehouse-sdk.int.test.ts.
 */
describe('tracehouse SDK resources on the real stack', () => {
  let stack: Stack;
  let th: Tracehouse;

  beforeAll(async () => {
    stack = await Stack.create();
    const ingest = await stack.startIngest();
    await stack.startWriter();
    await ingest.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ingest.app.server.address() as { port: number };
    th = new Tracehouse({ baseUrl: `http://127.0.0.1:${port}`, apiKey: stack.apiKey, intervalMs: 20 });
  });

  afterAll(async () => {
    await th?.shutdown();
    await stack?.close();
  });

  it('spans and their metrics: create, get, update, feedback, metric CRUD, delete', async () => {
    const id = randomUUID();
    const created = await th.spans.create({
      id,
      name: 'classify',
      input: { text: 'hi' },
      tags: { env: 'int' },
    });
    expect(created).toMatchObject({ id, name: 'classify', trace_id: id });

    const updated = await th.spans.update(id, { meta: { reviewed: true }, output: 'greeting' });
    expect(updated.meta).toEqual({ reviewed: true });
    expect(await th.spans.get(id)).toMatchObject({ id, output: 'greeting', tags: { env: 'int' } });

    const metric = await th.spanMetrics.createMetric(id, {
      dimension: 'accuracy',
      value: 0.5,
      comment: 'first',
    });
    expect(metric).toMatchObject({ span_id: id, dimension: 'accuracy', value: 0.5 });
    expect(await th.spanMetrics.update(id, metric.id, { value: 0.75 })).toMatchObject({ value: 0.75 });
    expect(await th.spanMetrics.get(id, metric.id)).toMatchObject({ value: 0.75, comment: 'first' });
    const listed = await th.spanMetrics.list(id, { limit: 10 });
    expect(listed).toMatchObject({ meta: { total_count: 1 }, data: [{ id: metric.id }] });
    await th.spanMetrics.delete(id, metric.id);
    expect((await th.spanMetrics.list(id)).meta.total_count).toBe(0);

    const feedback = await th.spans.feedback(id, { score: 1, comment: 'right' });
    expect(feedback).toMatchObject({ span_id: id, score: 1, example_saved: false });

    await th.spans.delete(id);
    const gone = await th.spans.get(id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(TracehouseError);
    expect(gone).toMatchObject({ status: 404, type: 'NotFoundError', retryable: false });
    expect((gone as TracehouseError).code).toMatch(/^TH_/);
  });

  it('datasets: save a span, then every entry call and the JSONL export', async () => {
    const spanId = randomUUID();
    const name = `sdk-dataset-${spanId}`;
    await th.spans.create({ id: spanId, name, input: 'what is 2+2', output: '4' });
    const saved = await th.spans.saveExamples(spanId);
    const dataset = await th.datasets.get(saved.dataset_id);
    expect(dataset.name).toBe(name); // named after the span when no name is given
    expect((await th.datasets.list({ name })).data.map((d) => d.id)).toEqual([saved.dataset_id]);
    expect((await th.datasets.create(name)).id).toBe(saved.dataset_id);

    const added = await th.datasets.createEntry(saved.dataset_id, {
      input: 'capital of France',
      output: 'Paris',
    });
    const entry = await th.datasets.updateEntry(saved.dataset_id, added.id, { expected: 'Paris' });
    expect(entry).toMatchObject({ id: added.id, expected: 'Paris' });
    expect(await th.datasets.getEntry(saved.dataset_id, added.id)).toMatchObject({ output: 'Paris' });
    expect((await th.datasets.queryEntries(saved.dataset_id, 'france')).map((e) => e.id)).toEqual([added.id]);
    const all = await th.datasets.listEntries(saved.dataset_id);
    expect(all.meta.total_count).toBe(2);

    const exported: string[] = [];
    for await (const e of th.datasets.export(saved.dataset_id)) exported.push(e.id);
    expect(exported.sort()).toEqual([saved.dataset_entry_id, added.id].sort());

    await th.datasets.deleteEntry(saved.dataset_id, added.id);
    expect((await th.datasets.listEntries(saved.dataset_id)).data.map((e) => e.id)).toEqual([
      saved.dataset_entry_id,
    ]);
  });

  it('traces from the exporter: search page by page with the cursor, list, and export', async () => {
    const run = randomUUID();
    for (let n = 0; n < 5; n++) {
      await th.span(`pipeline-${n}`, () => th.span('step', () => n), { tags: { run } });
    }
    await th.flush();
    expect(th.droppedCount).toBe(0);

    // Search reads ClickHouse as it is (no read-your-writes fence): wait for the writer to store all five.
    const filter = { tags: { run } };
    const stored = await stack.eventually(
      () => th.traces.search({ filter }),
      (page) => page.data.length === 5,
    );
    expect(stored.data).toHaveLength(5);
    const first = await th.traces.search({ filter, limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const names: string[] = [];
    for await (const trace of th.traces.searchAll({ filter, limit: 2 })) names.push(trace.name ?? '');
    expect(names.sort()).toEqual([0, 1, 2, 3, 4].map((n) => `pipeline-${n}`));

    const listed = await th.traces.list({ name: 'pipeline-3' });
    expect(listed.data).toHaveLength(1);
    const detail = await th.traces.get(listed.data[0]!.id);
    expect(detail.spans.map((s) => s.name).sort()).toEqual(['pipeline-3', 'step']);

    const exported: string[] = [];
    for await (const trace of th.export.traces({ filter })) exported.push(trace.id);
    expect(exported).toHaveLength(5);
    const csv: string[] = [];
    for await (const line of th.export.csv('spans', { filter })) csv.push(line);
    expect(csv).toHaveLength(1 + 5); // a header, then the five tagged root spans (children carry no tags)
    expect(csv.slice(1).every((line) => line.includes('pipeline-'))).toBe(true);
  });
});
