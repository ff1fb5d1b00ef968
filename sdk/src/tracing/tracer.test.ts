import type { IngestItemInput } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { Tracer } from './tracer.js';

type SpanItem = Extract<IngestItemInput, { type: 'span.create' }>;

function recorder() {
  const items: IngestItemInput[] = [];
  const tracer = new Tracer((item) => items.push(item));
  const spans = () => items.filter((i): i is SpanItem => i.type === 'span.create').map((i) => i.body);
  const byName = (name: string) => spans().find((s) => s.name === name)!;
  return { items, tracer, spans, byName };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('Tracer', () => {
  it('nests spans three levels deep across awaits, in one trace', async () => {
    const { tracer, byName, spans } = recorder();
    const answer = await tracer.span('pipeline', async () => {
      await tick();
      return tracer.span('retrieve', async () => {
        await tick();
        return tracer.span('embed', () => 'vector');
      });
    });
    expect(answer).toBe('vector');
    const [root, retrieve, embed] = ['pipeline', 'retrieve', 'embed'].map(byName);
    expect(root!.parent_id).toBeUndefined();
    expect(root!.trace_id).toBe(root!.id);
    expect(retrieve).toMatchObject({ parent_id: root!.id, trace_id: root!.id });
    expect(embed).toMatchObject({ parent_id: retrieve!.id, trace_id: root!.id, output: 'vector' });
    // Children end first, so they are exported first; every span has its times.
    expect(spans().map((s) => s.name)).toEqual(['embed', 'retrieve', 'pipeline']);
    expect(Date.parse(root!.end_time!)).toBeGreaterThanOrEqual(Date.parse(root!.start_time!));
  });

  it('keeps parallel branches apart under Promise.all, and sequential siblings under one parent', async () => {
    const { tracer, spans } = recorder();
    await tracer.span('root', async () => {
      await Promise.all(
        ['a', 'b', 'c'].map((branch) =>
          tracer.span(`branch-${branch}`, async () => {
            await tick();
            await tracer.span(`leaf-${branch}`, async () => tick());
          }),
        ),
      );
      await tracer.span('after-1', () => 1);
      await tracer.span('after-2', () => 2);
    });
    const all = spans();
    const id = (name: string) => all.find((s) => s.name === name)!.id;
    for (const branch of ['a', 'b', 'c']) {
      expect(all.find((s) => s.name === `branch-${branch}`)!.parent_id).toBe(id('root'));
      expect(all.find((s) => s.name === `leaf-${branch}`)!.parent_id).toBe(id(`branch-${branch}`));
    }
    expect(all.find((s) => s.name === 'after-2')!.parent_id).toBe(id('root'));
    expect(new Set(all.map((s) => s.trace_id))).toEqual(new Set([id('root')]));
  });

  it('records a thrown error with status error, rethrows it, and the parent goes on', async () => {
    const { tracer, byName } = recorder();
    await tracer.span('root', async () => {
      await expect(
        tracer.span('fails', () => {
          throw new TypeError('bad input');
        }),
      ).rejects.toThrow('bad input');
    });
    expect(byName('fails')).toMatchObject({ error: 'TypeError: bad input', status: 'error' });
    expect(byName('root').error).toBeUndefined();
  });

  it('startSpan: manual end, tags/meta/metrics, run() as parent; metrics follow their span', async () => {
    const { tracer, items, byName } = recorder();
    const span = tracer.startSpan('manual', { tags: { env: 'prod' }, meta: { a: 1 }, input: 'q' });
    span.addMetric('quality_score', 4.5, 'good').setMeta({ b: 2 });
    await tracer.run(span, () => tracer.span('inside', () => 'x', { recordOutput: false }));
    expect(items.map((i) => i.type)).toEqual(['span.create']); // only the child so far
    span.end({ output: 'done' });
    span.end({ output: 'ignored' });
    span.addMetric('latency_ms', 320);
    expect(items.map((i) => i.type)).toEqual([
      'span.create',
      'span.create',
      'metric.create',
      'metric.create',
    ]);
    expect(byName('manual')).toMatchObject({
      tags: { env: 'prod' },
      meta: { a: 1, b: 2 },
      input: 'q',
      output: 'done',
    });
    expect(byName('inside')).toMatchObject({ parent_id: span.id });
    expect(byName('inside').output).toBeUndefined();
    const metrics = items.filter((i) => i.type === 'metric.create');
    expect(metrics.map((m) => ('span_id' in m ? m.span_id : ''))).toEqual([span.id, span.id]);
    expect(tracer.startSpan('fresh', { parent: null }).parentId).toBeUndefined();
  });
});
