import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteProjectData } from '../../scripts/demo/remove-demo.js';
import { type DemoApi, writeDemo } from '../../scripts/demo/write-demo.js';
import { type IngestClient, injectClient } from '../write-path/helpers.js';

/** `npm run demo` against the real stack: the sample is found through search, once, and removed. */
describe('npm run demo', () => {
  let stack: Stack;
  let client: IngestClient;
  const api: DemoApi = (method, path, body) => client.request(method, path, body);

  beforeAll(async () => {
    stack = await Stack.create();
    client = injectClient((await stack.startIngest()).app, stack.apiKey);
    await stack.startWriter();
  });
  afterAll(() => stack?.close());

  const search = async (filter: object) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await client.request('POST', '/v2/search/traces', { filter, limit: 500, cursor });
      expect(res.status).toBe(200);
      ids.push(...res.body.data.map((t: { id: string }) => t.id));
      cursor = res.body.next_cursor ?? undefined;
    } while (cursor);
    return ids;
  };

  it('writes a sample the search finds at once, writes nothing twice when run again, and removes it', async () => {
    const first = await writeDemo(api);
    expect(first.traces).toBeGreaterThanOrEqual(300);
    const rag = await stack.eventually(
      () => search({ tags: { pipeline: 'rag' } }),
      (ids) => ids.length === 240,
    );
    expect(rag).toHaveLength(240);
    expect(await search({ tags: { pipeline: 'agent' }, has_error: true })).not.toHaveLength(0);
    const dataset = await client.request('GET', `/v2/datasets/${first.datasetId}`);
    const entries = dataset.body.entry_count;
    expect(entries).toBeGreaterThan(0);

    await writeDemo(api);
    expect(await search({ tags: { pipeline: 'rag' } })).toHaveLength(240);
    expect((await stack.spanCounts()).rows).toBe(first.spans);
    expect((await client.request('GET', `/v2/datasets/${first.datasetId}`)).body.entry_count).toBe(entries);

    // The trace list waits until the project's acknowledged writes are stored (read fences), so the
    // second run's upserts cannot land after the delete.
    expect((await client.request('GET', '/v2/traces?limit=1')).status).toBe(200);
    await deleteProjectData(stack.clickhouse, stack.projectId);
    expect((await stack.spanCounts()).rows).toBe(0);
  });
});
