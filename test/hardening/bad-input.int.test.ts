import { Stack } from '@tracehouse/test-support/stack';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Hostile and malformed input against every kind of endpoint: always a 4xx that names the problem,
 * never a 5xx or a crash, and a good write made alongside is stored all the same.
 */
describe('bad input never breaks anything', () => {
  let stack: Stack;
  let app: FastifyInstance;
  let spanId: string;
  let traceId: string;

  const send = async (
    method: string,
    url: string,
    payload?: string | Buffer,
    contentType = 'application/json',
  ) => {
    const res = await app.inject({
      method: method as 'POST',
      url,
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': contentType },
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: res.statusCode, body: res.body, json: () => res.json() };
  };

  beforeAll(async () => {
    stack = await Stack.create({ env: { IO_MAX_BYTES: '65536', BODY_LIMIT_BYTES: '1048576' } });
    app = (await stack.startIngest()).app;
    await stack.startWriter();
    const created = await send('POST', '/v2/spans', JSON.stringify({ name: 'anchor' }));
    spanId = created.json().id;
    traceId = created.json().trace_id;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const hostile = [
    "x' OR 1=1 --",
    "'); DROP TABLE spans; --",
    '{p0:String}',
    '\u0000\u0001\u001f',
    '../../etc/passwd',
    '%00%27',
    '\u202e\u200b😀',
    'a'.repeat(5_000),
  ];

  it('malformed bodies: 400/413/415/422 naming the problem', async () => {
    const cases: [string, string | Buffer, string, number, RegExp][] = [
      ['/v2/spans', '{"name": ', 'application/json', 400, /JSON/i],
      ['/v2/spans', '[]', 'application/json', 422, /body|name/],
      ['/v2/spans', '"just a string"', 'application/json', 422, /body|name/],
      ['/v2/spans', '{"name": 42}', 'application/json', 422, /name/],
      ['/v2/spans', '{"name": "x", "tags": {"k": 1}}', 'application/json', 422, /tags\.k/],
      [
        '/v2/spans',
        '{"name": "x", "start_time": "2025-02-30T00:00:00Z"}',
        'application/json',
        422,
        /start_time/,
      ],
      ['/v2/spans', '{"name": "x", "score": 4.5}', 'application/json', 422, /score/],
      [
        '/v2/spans',
        `{"name": "x", "input": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
        'application/json',
        400,
        /nest|JSON|deep/i,
      ],
      [
        '/v2/spans',
        Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        'application/json',
        400,
        /UTF-8/,
      ],
      ['/v2/spans', 'name=x', 'application/x-www-form-urlencoded', 415, /content-type|Unsupported/i],
      [
        '/v2/spans',
        JSON.stringify({ name: 'x', input: 'y'.repeat(70_000) }),
        'application/json',
        422,
        /input/,
      ],
      [
        '/v2/spans',
        JSON.stringify({
          name: 'x',
          tags: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'])),
        }),
        'application/json',
        422,
        /tags/,
      ],
      [
        '/v2/spans',
        JSON.stringify({ name: 'x', meta: { blob: 'z'.repeat(2_000_000) } }),
        'application/json',
        413,
        /large|limit/i,
      ],
      ['/v2/ingest', JSON.stringify({ items: 'nope' }), 'application/json', 422, /items/],
      [
        '/v2/search/spans',
        JSON.stringify({ filter: { from: 'soon' } }),
        'application/json',
        422,
        /filter\.from/,
      ],
      ['/v2/search/spans', JSON.stringify({ limit: 1e9 }), 'application/json', 422, /limit/],
      ['/v2/search/spans', JSON.stringify({ cursor: hostile[0] }), 'application/json', 422, /cursor/],
      [
        '/v2/analytics/metrics',
        JSON.stringify({ dimension: 'x', interval_seconds: 0 }),
        'application/json',
        422,
        /interval_seconds/,
      ],
      ['/v2/export/spans', JSON.stringify({ format: 'xml' }), 'application/json', 422, /format/],
    ];
    for (const [url, payload, type, status, message] of cases) {
      const res = await send('POST', url, payload, type);
      expect([url, String(payload).slice(0, 40), res.status]).toEqual([
        url,
        String(payload).slice(0, 40),
        status,
      ]);
      expect(res.body).toMatch(message);
      expect(res.json()).toHaveProperty('detail');
    }
  });

  it('hostile strings in every path parameter: 422 naming it, or 404; never 5xx', async () => {
    for (const value of hostile) {
      const v = encodeURIComponent(value);
      for (const [method, url] of [
        ['GET', `/v2/spans/${v}`],
        ['PATCH', `/v2/spans/${v}`],
        ['DELETE', `/v2/spans/${v}`],
        ['GET', `/v2/spans/${spanId}/metrics/${v}`],
        ['GET', `/v2/traces/${v}`],
        ['GET', `/v2/datasets/${v}/entries`],
        ['POST', `/v2/datasets/${v}/entries/query?query=${v}`],
      ] as const) {
        const res = await send(method, url, method === 'PATCH' ? '{}' : undefined);
        expect([url.slice(0, 60), res.status < 500]).toEqual([url.slice(0, 60), true]);
        expect([422, 404, 414]).toContain(res.status); // 414: a parameter longer than any id
      }
    }
  });

  it('hostile strings in every filter and query parameter: 200 with nothing found, or 422; never 5xx', async () => {
    for (const value of hostile) {
      const filters = [
        { name: value.slice(0, 256) },
        { type: value.slice(0, 128) },
        { tags: { [value.slice(0, 128)]: value.slice(0, 1024) } },
        { tag_keys: [value.slice(0, 128)] },
        { meta: { [value.slice(0, 256)]: value } },
        { metric: { dimension: value.slice(0, 256), min: 0 } },
      ];
      for (const filter of filters) {
        for (const url of ['/v2/search/spans', '/v2/search/traces', '/v2/export/spans']) {
          const res = await send('POST', url, JSON.stringify({ filter }));
          expect([url, JSON.stringify(filter).slice(0, 60), res.status]).toEqual([
            url,
            JSON.stringify(filter).slice(0, 60),
            200,
          ]);
          if (url.includes('search')) expect(res.json().data).toEqual([]);
        }
        const analytics = await send(
          'POST',
          '/v2/analytics/metrics',
          JSON.stringify({ dimension: 'd', filter: { ...filter, metric: undefined } }),
        );
        expect(analytics.status).toBe(200);
      }
      for (const url of [
        `/v2/traces?name=${encodeURIComponent(value.slice(0, 256))}`,
        `/v2/datasets?name=${encodeURIComponent(value.slice(0, 256))}`,
        `/v2/traces?limit=${encodeURIComponent(value)}`,
        `/v2/spans/${spanId}/metrics?offset=${encodeURIComponent(value)}`,
      ]) {
        const res = await send('GET', url);
        expect([url.slice(0, 60), [200, 422].includes(res.status)]).toEqual([url.slice(0, 60), true]);
      }
    }
  });

  it('odd but valid unicode is stored and read back exactly; the good write made alongside arrives', async () => {
    const name = 'résumé — 日本語 😀 \u200b\u202e';
    const res = await send(
      'POST',
      '/v2/spans',
      JSON.stringify({ name, parent_id: spanId, tags: { clé: '値' }, input: '\u0000\u0007' }),
    );
    expect(res.status).toBe(200);
    const got = await send('GET', `/v2/spans/${res.json().id}`);
    expect(got.json()).toMatchObject({ name, tags: { clé: '値' }, input: '\u0000\u0007', trace_id: traceId });
    const trace = await send('GET', `/v2/traces/${traceId}`);
    expect(trace.json().spans).toHaveLength(2);
  });
});
