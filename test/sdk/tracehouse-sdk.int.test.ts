import { Stack } from '@tracehouse/test-support/stack';
import { Tracehouse } from 'tracehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Our SDK against the real stack, the usage guide's flow end to end. */
describe('tracehouse SDK on the real stack', () => {
  let stack: Stack;
  let th: Tracehouse;

  beforeAll(async () => {
    stack = await Stack.create();
    const ingest = await stack.startIngest();
    await stack.startWriter();
    await ingest.app.listen({ port: 0, host: '127.0.0.1' });
    const address = ingest.app.server.address() as { port: number };
    th = new Tracehouse({
      baseUrl: `http://127.0.0.1:${address.port}`,
      apiKey: stack.apiKey,
      exporter: { intervalMs: 50 },
    });
  });

  afterAll(async () => {
    await th?.shutdown();
    await stack?.close();
  });

  it('a two-step pipeline under one parent, metrics, tags, metadata, a dataset, traces listed and opened', async () => {
    const question = `What is Tracehouse? ${Date.now()}`;
    let rootId = '';
    const answer = await th.span(
      'answer-question',
      async (root) => {
        rootId = root.id;
        const docs = await th.span('retrieve', async () => ['doc-1', 'doc-2'], {
          tags: { step: 'retrieval' },
        });
        const text = await th.span(
          'generate',
          async (span) => {
            span.addMetric('latency_ms', 320).addMetric('quality_score', 4.5, 'judge');
            return `answer from ${docs.length} docs`;
          },
          { tags: { model: 'gpt-4o' }, type: 'llm' },
        );
        root.setMeta({ customer: 'acme' });
        return text;
      },
      { tags: { environment: 'production' }, input: question },
    );
    expect(answer).toBe('answer from 2 docs');
    await th.flush();
    expect(th.droppedCount).toBe(0);

    // Read-your-writes: the exported trace is readable at once.
    const trace = await th.traces.get(rootId, { tree: true });
    expect(trace).toMatchObject({
      name: 'answer-question',
      span_count: 3,
      input: question,
      output: 'answer from 2 docs',
    });
    expect(trace.tree![0]!.children.map((c) => c.name).sort()).toEqual(['generate', 'retrieve']);
    const generate = trace.spans.find((s) => s.name === 'generate')!;
    expect(generate.metrics.map((m) => [m.dimension, m.value]).sort()).toEqual([
      ['latency_ms', 320],
      ['quality_score', 4.5],
    ]);

    // Update metadata after the fact, and save the span to a dataset.
    const updated = await th.spans.update(generate.id, { meta: { reviewed: true } });
    expect(updated.meta).toEqual({ reviewed: true });
    const saved = await th.spans.saveExamples(generate.id, { datasetName: 'golden-answers' });
    const dataset = await th.datasets.byName('golden-answers');
    expect(dataset?.id).toBe(saved.dataset_id);
    const entries = await th.datasets.listEntries(saved.dataset_id);
    expect(entries.data.map((e) => e.output)).toEqual(['answer from 2 docs']);

    // List and search traces by what the pipeline tagged.
    const listed = await th.traces.list({ name: 'answer-question' });
    expect(listed.data.map((t) => t.id)).toContain(rootId);
    const found: string[] = [];
    for await (const span of th.spans.searchAll({
      filter: { trace_id: rootId, tags: { model: 'gpt-4o' } },
      limit: 1,
    })) {
      found.push(span.name);
    }
    expect(found).toEqual(['generate']);
    const analytics = await th.analytics.metrics({
      dimension: 'quality_score',
      filter: { trace_id: rootId },
    });
    expect(analytics.buckets.map((b) => b.avg)).toEqual([4.5]);
    const exported: string[] = [];
    for await (const span of th.export.spans({ filter: { trace_id: rootId } })) exported.push(span.id);
    expect(exported).toHaveLength(3);
  });

  it('records a failing step as an error span and rethrows', async () => {
    let traceId = '';
    await expect(
      th.span('flaky', async (span) => {
        traceId = span.traceId;
        throw new Error('model timed out');
      }),
    ).rejects.toThrow('model timed out');
    await th.flush();
    const span = await th.spans.get(traceId);
    expect(span).toMatchObject({ status: 'error', error: 'Error: model timed out' });
  });
});
