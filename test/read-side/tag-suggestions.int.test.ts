import { randomUUID } from 'node:crypto';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient } from '../write-path/helpers.js';

/**
 * `GET /v2/tags/keys` and `/v2/tags/values` (the dashboard's filter suggestions): keys and values of live
 * spans in the window, most used first, bounded, prefix-filtered, and never another project's tags.
 */
describe('tag suggestions', () => {
  let stack: Stack;
  let api: IngestClient;
  let other: IngestClient;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    stack = await Stack.create();
    const ingest = await stack.startIngest();
    await stack.startWriter();
    api = injectClient(ingest.app, stack.apiKey);
    other = injectClient(ingest.app, (await stack.otherProjectKey()).key);
    const span = (tags: Record<string, string>, startMs: number) => ({
      type: 'span.create',
      body: { id: randomUUID(), name: 'call', start_time: iso(startMs), end_time: iso(startMs + 5), tags },
    });
    const items = [
      span({ env: 'prod', region: 'eu' }, now - 60_000),
      span({ env: 'prod', region: 'us' }, now - 50_000),
      span({ env: 'staging' }, now - 40_000),
      // Outside the default window (24 h): must not be suggested.
      span({ ancient: 'yes', env: 'old' }, now - 3 * 86_400_000),
    ];
    expect((await api.request('POST', '/v2/ingest', { items })).body.rejected).toBe(0);
    const secret = {
      type: 'span.create',
      body: { name: 'x', start_time: iso(now - 1000), tags: { secret: 's' } },
    };
    expect((await other.request('POST', '/v2/ingest', { items: [secret] })).body.rejected).toBe(0);
    await stack.eventually(
      () => stack.spanCounts(),
      (c) => c.rows >= 4,
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('lists keys most used first, scoped to the project and the window', async () => {
    const res = await api.request('GET', '/v2/tags/keys');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { key: 'env', spans: 3 },
      { key: 'region', spans: 2 },
    ]);
    const wide = await api.request('GET', `/v2/tags/keys?from=${iso(now - 4 * 86_400_000)}&prefix=an`);
    expect(wide.body.data).toEqual([{ key: 'ancient', spans: 1 }]);
    expect((await api.request('GET', '/v2/tags/keys?limit=1')).body.data).toHaveLength(1);
  });

  it("lists one key's values, prefix-filtered", async () => {
    const res = await api.request('GET', '/v2/tags/values?key=env');
    expect(res.body).toEqual({
      key: 'env',
      data: [
        { value: 'prod', spans: 2 },
        { value: 'staging', spans: 1 },
      ],
    });
    const typed = await api.request('GET', '/v2/tags/values?key=env&prefix=st');
    expect(typed.body.data).toEqual([{ value: 'staging', spans: 1 }]);
    // Values with quotes or SQL in them are parameters, never query text.
    const odd = await api.request('GET', `/v2/tags/values?key=${encodeURIComponent("e'nv) OR 1=1 --")}`);
    expect(odd.status).toBe(200);
    expect(odd.body.data).toEqual([]);
  });

  it('rejects a missing key and an out-of-range limit', async () => {
    expect((await api.request('GET', '/v2/tags/values')).status).toBe(422);
    expect((await api.request('GET', '/v2/tags/keys?limit=1000')).status).toBe(422);
  });
});
