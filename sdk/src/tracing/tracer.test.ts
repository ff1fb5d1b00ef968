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
    await span.run(() => tracer.span('inside', () => 'x', { recordOutput: false }));
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

  it('children started in timers and callbacks, and after the parent function returned, keep their parent', async () => {
    const { tracer, byName } = recorder();
    let later!: Promise<unknown>;
    await tracer.span('root', async () => {
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          void tracer.span('in-timer', () => 1).then(() => resolve());
        }, 1),
      );
      // A fire-and-forget child started now, still running after the root ends.
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => tracer.span('late', () => 2));
    });
    await later;
    const rootId = byName('root').id;
    expect(byName('in-timer').parent_id).toBe(rootId);
    expect(byName('late')).toMatchObject({ parent_id: rootId, trace_id: rootId });
    expect(tracer.current()).toBeUndefined();
  });

  it('records synchronous throws and non-Error values, and two roots make two traces', async () => {
    const { tracer, byName } = recorder();
    await expect(
      tracer.span('sync', () => {
        throw new RangeError('out of range');
      }),
    ).rejects.toBeInstanceOf(RangeError);
    await expect(tracer.span('odd', () => Promise.reject({ code: 42 }))).rejects.toEqual({ code: 42 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(tracer.span('cyclic', () => Promise.reject(cyclic))).rejects.toBe(cyclic);
    expect(byName('sync')).toMatchObject({ error: 'RangeError: out of range', status: 'error' });
    expect(byName('odd').error).toBe('{"code":42}');
    expect(byName('cyclic').error).toBe('[object Object]');
    expect(byName('sync').trace_id).not.toBe(byName('odd').trace_id);
  });

  it('sends type, model, input and tags given up front; an ended span ignores a second end', async () => {
    const { tracer, items, byName } = recorder();
    const span = tracer.startSpan('llm-call', { type: 'llm', model: 'gpt-4o', input: { q: 1 } });
    span.setTags({ env: 'dev' }).setOutput('first');
    span.end();
    span.end({ error: new Error('late') });
    expect(items).toHaveLength(1);
    expect(byName('llm-call')).toMatchObject({
      type: 'llm',
      model: 'gpt-4o',
      input: { q: 1 },
      output: 'first',
      tags: { env: 'dev' },
    });
    expect(byName('llm-call').error).toBeUndefined();
    expect(Number.isNaN(Date.parse(byName('llm-call').start_time!))).toBe(false);
  });
});
