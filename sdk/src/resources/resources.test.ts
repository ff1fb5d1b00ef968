import { afterEach, describe, expect, it } from 'vitest';
import { Tracehouse, type TracehouseOptions } from '../client.js';
import { TracehouseError } from '../errors.js';
import { fakeServer, type Respond } from '../testing/fake-server.js';

describe('resources', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  async function client(respond: Respond, options: Partial<TracehouseOptions> = {}) {
    const server = await fakeServer(respond);
    close = server.close;
    const th = new Tracehouse({ baseUrl: `${server.url}/`, apiKey: 'secret', ...options });
    return { th, requests: server.requests, url: server.url };
  }

  it('send the right method, path, query and body for every call', async () => {
    const { th, requests } = await client((r) => ({
      status: r.method === 'DELETE' ? 204 : r.url.endsWith('save_examples') ? 201 : 200,
      body: r.url.includes('/search/') ? { data: [], next_cursor: null } : { id: 'x' },
    }));
    const calls: [() => Promise<unknown>, string, unknown?][] = [
      [
        () => th.spans.create({ name: 'a', tags: { env: 'prod' } }),
        'POST /v2/spans',
        { name: 'a', tags: { env: 'prod' } },
      ],
      [() => th.spans.get('s1'), 'GET /v2/spans/s1'],
      [() => th.spans.update('s1', { meta: { k: 1 } }), 'PATCH /v2/spans/s1', { meta: { k: 1 } }],
      [
        () => th.spans.saveExamples('s1', { datasetName: 'golden' }),
        'POST /v2/spans/s1/save_examples',
        { dataset_name: 'golden' },
      ],
      [() => th.spans.saveExamples('s1'), 'POST /v2/spans/s1/save_examples', undefined],
      [
        () => th.spans.feedback('s1', { score: 1, comment: 'good' }),
        'POST /v2/spans/s1/feedback',
        { score: 1, comment: 'good' },
      ],
      [() => th.spans.delete('s1'), 'DELETE /v2/spans/s1'],
      [
        () => th.spans.search({ filter: { tags: { env: 'prod' } }, limit: 5 }),
        'POST /v2/search/spans',
        { filter: { tags: { env: 'prod' } }, limit: 5 },
      ],
      [
        () => th.spanMetrics.createMetric('s1', { dimension: 'q', value: 1 }),
        'POST /v2/spans/s1/metrics',
        { dimension: 'q', value: 1 },
      ],
      [
        () => th.spanMetrics.list('s1', { limit: 5, offset: 10 }),
        'GET /v2/spans/s1/metrics?limit=5&offset=10',
      ],
      [() => th.spanMetrics.get('s1', 'm1'), 'GET /v2/spans/s1/metrics/m1'],
      [() => th.spanMetrics.update('s1', 'm1', { value: 2 }), 'PATCH /v2/spans/s1/metrics/m1', { value: 2 }],
      [() => th.spanMetrics.delete('s1', 'm1'), 'DELETE /v2/spans/s1/metrics/m1'],
      [() => th.traces.list({ name: 'my pipeline', limit: 10 }), 'GET /v2/traces?name=my+pipeline&limit=10'],
      [() => th.traces.get('t1', { tree: true }), 'GET /v2/traces/t1?tree=true'],
      [() => th.traces.get('t1'), 'GET /v2/traces/t1'],
      [() => th.traces.search({ sort: 'duration_ms' }), 'POST /v2/search/traces', { sort: 'duration_ms' }],
      [() => th.datasets.list({ name: 'golden' }), 'GET /v2/datasets?name=golden'],
      [() => th.datasets.create('golden'), 'POST /v2/datasets', { name: 'golden' }],
      [() => th.datasets.get('d1'), 'GET /v2/datasets/d1'],
      [
        () => th.datasets.createEntry('d1', { input: 'q', output: 'a' }),
        'POST /v2/datasets/d1',
        { input: 'q', output: 'a' },
      ],
      [() => th.datasets.listEntries('d1', { offset: 2 }), 'GET /v2/datasets/d1/entries?offset=2'],
      [() => th.datasets.getEntry('d1', 'e1'), 'GET /v2/datasets/d1/entries/e1'],
      [
        () => th.datasets.updateEntry('d1', 'e1', { expected: 'b' }),
        'PATCH /v2/datasets/d1/entries/e1',
        { expected: 'b' },
      ],
      [() => th.datasets.deleteEntry('d1', 'e1'), 'DELETE /v2/datasets/d1/entries/e1'],
      [
        () => th.datasets.queryEntries('d1', 'two words', 3),
        'POST /v2/datasets/d1/entries/query?query=two+words&limit=3',
      ],
      [
        () => th.analytics.metrics({ dimension: 'latency_ms' }),
        'POST /v2/analytics/metrics',
        { dimension: 'latency_ms' },
      ],
      [() => th.spans.get('a/b?c'), 'GET /v2/spans/a%2Fb%3Fc'],
    ];
    for (const [call, line, body] of calls) {
      await call();
      const sent = requests.at(-1)!;
      expect(`${sent.method} ${sent.url}`).toBe(line);
      expect(sent.body).toEqual(body);
      expect(sent.headers.authorization).toBe('Bearer secret');
    }
    expect(await th.spans.delete('s1')).toBeUndefined();
  });

  it('walk every cursor page of a search', async () => {
    const { th, requests } = await client((r) => {
      const cursor = (r.body as { cursor?: string }).cursor;
      const n = cursor === undefined ? 0 : Number(cursor);
      return { status: 200, body: { data: [{ id: `t${n}` }], next_cursor: n < 2 ? String(n + 1) : null } };
    });
    const ids: string[] = [];
    for await (const trace of th.traces.searchAll({ limit: 1, filter: { name: 'x' } })) ids.push(trace.id);
    expect(ids).toEqual(['t0', 't1', 't2']);
    expect(requests.map((r) => r.body)).toEqual([
      { limit: 1, filter: { name: 'x' } },
      { limit: 1, filter: { name: 'x' }, cursor: '1' },
      { limit: 1, filter: { name: 'x' }, cursor: '2' },
    ]);
    expect(requests.every((r) => r.url === '/v2/search/traces')).toBe(true);
  });

  it('stream exports record by record, across chunk boundaries and multi-byte characters', async () => {
    const lines = [
      { id: 's1', name: 'héllo' },
      { id: 's2', name: '日本' },
    ].map((r) => JSON.stringify(r));
    const text = `${lines.join('\n')}\n`;
    const bytes = Buffer.from(text);
    const { th, requests } = await client((r) => {
      if (r.url.startsWith('/v2/export/')) {
        const body = r.body as { format: string };
        if (body.format === 'csv')
          return { status: 200, chunks: ['id,name\r\n"s1","a\nb"\r\n', '"s2","c"\r\n'] };
      }
      // Split inside a line, and between the two bytes of 'é'.
      const at = bytes.indexOf(Buffer.from('é')) + 1;
      return { status: 200, chunks: [bytes.subarray(0, 5), bytes.subarray(5, at), bytes.subarray(at)] };
    });
    const spans = [];
    for await (const span of th.export.spans({ filter: { name: 'x' } })) spans.push(span);
    expect(spans).toEqual([
      { id: 's1', name: 'héllo' },
      { id: 's2', name: '日本' },
    ]);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '/v2/export/spans',
      body: { filter: { name: 'x' }, format: 'jsonl' },
    });

    const traces = [];
    for await (const trace of th.export.traces()) traces.push(trace.id);
    expect(traces).toEqual(['s1', 's2']);
    expect(requests[1]).toMatchObject({ url: '/v2/export/traces', body: { format: 'jsonl' } });

    const entries = [];
    for await (const entry of th.datasets.export('d1')) entries.push(entry.id);
    expect(entries).toEqual(['s1', 's2']);
    expect(requests[2]).toMatchObject({ method: 'GET', url: '/v2/datasets/d1/export' });

    const csv = [];
    for await (const record of th.export.csv('spans')) csv.push(record);
    expect(csv).toEqual(['id,name', '"s1","a\nb"', '"s2","c"']);
  });

  it('turn error answers into TracehouseError with status, type, code and Retry-After', async () => {
    const { th, requests } = await client(
      (r) =>
        r.url.startsWith('/v2/spans')
          ? {
              status: 429,
              body: {
                type: 'TooManyRequestsError',
                message: 'slow down',
                detail: null,
                code: 'TH_RATE_LIMITED',
              },
              headers: { 'retry-after': '7' },
            }
          : {
              status: 404,
              body: { type: 'NotFoundError', message: 'Trace not found', detail: null, code: 'TH_NOT_FOUND' },
            },
      { maxRetries: 0 },
    );
    const limited = await th.spans.get('s1').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(TracehouseError);
    expect(limited).toMatchObject({
      status: 429,
      type: 'TooManyRequestsError',
      code: 'TH_RATE_LIMITED',
      message: 'slow down',
      retryAfterSeconds: 7,
      retryable: true,
    });
    expect(requests).toHaveLength(1); // maxRetries: 0
    const missing = await th.traces.get('t1').catch((e: unknown) => e);
    expect(missing).toMatchObject({
      status: 404,
      type: 'NotFoundError',
      code: 'TH_NOT_FOUND',
      retryable: false,
    });
    // A streamed call fails the same way, before its first record.
    await expect(th.export.spans()[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      status: 404,
      type: 'NotFoundError',
    });
  });

  it('retry a read the server cannot answer yet (503 + Retry-After), but never a write', async () => {
    let calls = 0;
    const { th, requests } = await client((r) => {
      calls++;
      if (r.method === 'GET' && calls === 1) {
        return {
          status: 503,
          body: { type: 'ServiceUnavailableError', message: 'not yet stored', code: 'TH_NOT_YET_STORED' },
          headers: { 'retry-after': '0' },
        };
      }
      if (r.method === 'POST')
        return { status: 503, body: { message: 'overloaded' }, headers: { 'retry-after': '0' } };
      return { status: 200, body: { id: 's1', name: 'a' } };
    });
    await expect(th.spans.get('s1')).resolves.toMatchObject({ id: 's1' });
    await expect(th.spans.create({ name: 'a' })).rejects.toMatchObject({
      status: 503,
      message: 'overloaded',
    });
    expect(requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
  });

  it('report an unreachable server and a timeout as retryable network errors', async () => {
    const unreachable = new Tracehouse({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    const refused = await unreachable.traces.list().catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 0, type: 'NetworkError', retryable: true });

    const { url } = await client(() => new Promise(() => {})); // never answers
    const impatient = new Tracehouse({ baseUrl: url, timeoutMs: 50 });
    const timedOut = await impatient.traces.list().catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(TracehouseError);
    expect(timedOut).toMatchObject({
      status: 0,
      retryable: true,
      message: expect.stringContaining('timed out'),
    });
  });

  it('refuse a baseUrl that is not http(s), and add /v2 only once', async () => {
    expect(() => new Tracehouse({ baseUrl: 'localhost:8080' })).toThrow(TypeError);
    const { url, requests } = await client(() => ({
      status: 200,
      body: { meta: { total_count: 0 }, data: [] },
    }));
    await new Tracehouse({ baseUrl: `${url}/v2/` }).traces.list();
    expect(requests.map((r) => r.url)).toEqual(['/v2/traces']);
    expect(requests[0]!.headers.authorization).toBeUndefined();
  });
});
