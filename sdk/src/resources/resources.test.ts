import { afterEach, describe, expect, it } from 'vitest';
import { Tracehouse } from '../client.js';
import { TracehouseError } from '../errors.js';
import { fakeServer, type Recorded } from '../testing/fake-server.js';

describe('resources', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  async function client(
    respond: (r: Recorded) => { status: number; body?: unknown; headers?: Record<string, string> },
  ) {
    const server = await fakeServer(respond);
    close = server.close;
    return { th: new Tracehouse({ baseUrl: `${server.url}/`, apiKey: 'secret' }), requests: server.requests };
  }

  it('send the right method, path, query and body', async () => {
    const { th, requests } = await client((r) => ({
      status: r.method === 'DELETE' ? 204 : 200,
      body: r.url.includes('search') ? { data: [], next_cursor: null } : { id: 'x' },
    }));
    await th.spans.create({ name: 'a', tags: { env: 'prod' } });
    await th.spans.update('s1', { meta: { k: 1 } });
    await th.spans.saveExamples('s1', { datasetName: 'golden' });
    await th.spans.delete('s1');
    await th.spanMetrics.createMetric('s1', { dimension: 'q', value: 1 });
    await th.spanMetrics.list('s1', { limit: 5 });
    await th.traces.list({ name: 'my pipeline', limit: 10 });
    await th.traces.get('t1', { tree: true });
    await th.datasets.queryEntries('d1', 'two words', 3);
    await th.spans.search({ filter: { tags: { env: 'prod' } } });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v2/spans',
      'PATCH /v2/spans/s1',
      'POST /v2/spans/s1/save_examples',
      'DELETE /v2/spans/s1',
      'POST /v2/spans/s1/metrics',
      'GET /v2/spans/s1/metrics?limit=5',
      'GET /v2/traces?name=my+pipeline&limit=10',
      'GET /v2/traces/t1?tree=true',
      'POST /v2/datasets/d1/entries/query?query=two+words&limit=3',
      'POST /v2/search/spans',
    ]);
    expect(requests[0]!.body).toEqual({ name: 'a', tags: { env: 'prod' } });
    expect(requests[2]!.body).toEqual({ dataset_name: 'golden' });
    expect(requests.every((r) => r.headers.authorization === 'Bearer secret')).toBe(true);
  });

  it('walk every cursor page', async () => {
    const { th, requests } = await client((r) => {
      const cursor = (r.body as { cursor?: string }).cursor;
      const n = cursor === undefined ? 0 : Number(cursor);
      return { status: 200, body: { data: [{ id: `s${n}` }], next_cursor: n < 2 ? String(n + 1) : null } };
    });
    const ids: string[] = [];
    for await (const span of th.spans.searchAll({ limit: 1 })) ids.push(span.id);
    expect(ids).toEqual(['s0', 's1', 's2']);
    expect(requests.map((r) => (r.body as { cursor?: string }).cursor)).toEqual([undefined, '1', '2']);
  });

  it('turn error answers into TracehouseError with status, type, code and Retry-After', async () => {
    const { th } = await client(() => ({
      status: 429,
      body: { type: 'TooManyRequestsError', message: 'slow down', detail: null, code: 'TH_RATE_LIMITED' },
      headers: { 'retry-after': '7' },
    }));
    const err = await th.spans.get('s1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TracehouseError);
    expect(err).toMatchObject({
      status: 429,
      type: 'TooManyRequestsError',
      code: 'TH_RATE_LIMITED',
      retryAfterSeconds: 7,
      retryable: true,
    });
    expect((err as Error).message).toBe('slow down');
  });

  it('report an unreachable server as a retryable network error', async () => {
    const th = new Tracehouse({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    const err = await th.traces.list().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, type: 'NetworkError', retryable: true });
  });
});
