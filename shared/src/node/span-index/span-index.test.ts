import type { SpanIndexEntry } from '@tracehouse/shared';
import { createLogger } from '@tracehouse/shared/node';
import type { Admin, Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { SpanIndex } from './span-index.js';

const project = '0190a6f0-0000-7000-8000-000000000001';
const trace = '0190a6f0-0000-7000-8000-0000000000aa';
const span = '0190a6f0-0000-7000-8000-0000000000bb';

/** An index over an empty topic: fences answer from what `remember` was told. */
function index(maxEntries = 1_000) {
  const admin = { fetchTopicOffsets: async () => [] } as unknown as Admin;
  return new SpanIndex({
    topic: 't',
    consumer: {} as Consumer,
    admin,
    lookupStored: async () => undefined,
    logger: createLogger({ name: 'test', level: 'silent' }),
    maxEntries,
    replayMs: 0,
    catchUpTimeoutMs: 10,
  });
}

const entry = (version: number, extra: Partial<SpanIndexEntry> = {}): SpanIndexEntry => ({
  v: 1,
  project_id: project,
  span_id: span,
  trace_id: trace,
  version,
  ...extra,
});

describe('SpanIndex fences', () => {
  it('keep the newest version of span writes and metric writes, and name/parent across patches', async () => {
    const i = index();
    i.remember(entry(10, { name: 'root', parent_id: null }));
    i.remember(entry(30, {}));
    i.remember(entry(20, { name: 'older rename' })); // late and older: the name stays
    i.remember(entry(25, { target: 'metrics' }));
    expect(await i.span(project, span)).toEqual({
      traceId: trace,
      name: 'root',
      parentId: null,
      version: 30,
      metricsVersion: 25,
    });
    expect(await i.trace(project, trace)).toEqual({ spans: 30, metrics: 25 });
    expect(await i.recentTraces(project)).toEqual([{ traceId: trace, version: 30 }]);
  });

  it('a deleted span stays deleted for patches, and comes back when created again', async () => {
    const i = index();
    i.remember(entry(10, { name: 'root', parent_id: null }));
    i.remember(entry(20, { deleted: true }));
    i.remember(entry(30, { name: 'patched' }));
    expect(await i.span(project, span)).toBeNull();
    i.remember(entry(40, { name: 'again', parent_id: null }));
    expect(await i.span(project, span)).toMatchObject({ name: 'again', version: 40 });
  });

  it('datasets remember their name and newest write; memory stays bounded', async () => {
    const i = index(2);
    const dataset = '0190a6f0-0000-7000-8000-0000000000dd';
    i.remember({
      v: 1,
      kind: 'dataset',
      project_id: project,
      dataset_id: dataset,
      name: 'golden',
      version: 5,
    });
    expect(await i.dataset(project, dataset)).toEqual({ name: 'golden', version: 5 });
    for (let n = 0; n < 5; n++) i.remember(entry(n, { span_id: `0190a6f0-0000-7000-8000-00000000000${n}` }));
    expect(i.size).toBeLessThanOrEqual(2); // past the bound the oldest go, the newest stays
    expect(await i.lookup(project, '0190a6f0-0000-7000-8000-000000000004')).toBeDefined();
  });
});
