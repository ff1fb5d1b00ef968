import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStubApp } from './stub-app.test-support.js';

const id = '0b7e2d1c-4a8f-4c1e-9f3a-2d6b8e0c5a71';
const validKey = 'th_valid-key-for-this-test';

/** Sends the request target exactly as given (no normalisation), like `curl --path-as-is`. */
function send(
  port: number,
  method: string,
  target: string,
  authorization?: string,
  headers: Record<string, string> = {},
  payload?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = payload ?? (method === 'GET' || method === 'DELETE' ? undefined : '{"name":"x","items":[]}');
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: target,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(authorization ? { authorization } : {}),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The ways one path (`/v2/...` or `/v3/...`) can be written that a router might take as the same route. */
function spellings(path: string, port: number): Record<string, string> {
  const n = path.slice(2, 3); // the version digit
  const v = `/v${n}`;
  const rest = path.slice(v.length);
  return {
    'percent-encoded v': `/%76${n}${rest}`,
    'percent-encoded V and digit': `/%76%3${n}${rest}`,
    'percent-encoded slash': `${v}%2F${rest.slice(1)}`,
    'doubled leading slash': `/${path}`,
    'doubled inner slash': `${v}/${rest}`,
    'dot segment': `${v}/.${rest}`,
    'dot-dot segment': `/x/..${path}`,
    'encoded dot-dot segment': `/x/%2e%2e${path}`,
    'upper case': `/V${n}${rest.toUpperCase()}`,
    'upper-case prefix': `/V${n}${rest}`,
    'other version': `/v${n === '2' ? '3' : '2'}${rest}`,
    'absolute-form': `http://127.0.0.1:${port}${path}`,
    'absolute-form, other host': `http://example.com${path}`,
    'trailing slash': `${path}/`,
    'query string': `${path}?x=1`,
  };
}

function otlpSpellings(path: string, port: number): Record<string, string> {
  return {
    'percent-encoded t': path.replace('/traces', '/%74races'),
    'percent-encoded slash': path.replace('/traces', '%2Ftraces'),
    'doubled leading slash': `/${path}`,
    'doubled inner slash': path.replace('/traces', '//traces'),
    'dot segment': path.replace('/traces', '/./traces'),
    'dot-dot segment': `/x/..${path}`,
    'encoded dot-dot segment': `/x/%2e%2e${path}`,
    'upper case': path.toUpperCase(),
    'absolute-form': `http://127.0.0.1:${port}${path}`,
    'absolute-form, other host': `http://example.com${path}`,
    'trailing slash': `${path}/`,
    'query string': `${path}?x=1`,
  };
}

/** One span, so a request that gets through reaches the write service. */
const otlpBody = JSON.stringify({
  resourceSpans: [
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'x',
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000001000000000',
            },
          ],
        },
      ],
    },
  ],
});

describe('authentication by matched route', () => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    app = await buildStubApp({
      keys: {
        projectOf: async (key) => (key === validKey ? 'c0ffee00-0000-4000-8000-000000000001' : undefined),
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('refuses every /v2 and /v3 route, however spelled, without a key and with a wrong key (never 2xx or 5xx)', async () => {
    const routes = app.apiRoutes.map((r) => ({ method: r.method, path: r.url.replace(/:[a-z_]+/g, id) }));
    expect(routes.filter((r) => r.path.startsWith('/v2/')).length).toBeGreaterThanOrEqual(29);
    // Opper v3: spans create/get/update/delete, traces list/get/delete.
    expect(routes.filter((r) => r.path.startsWith('/v3/')).length).toBe(7);
    const failures: string[] = [];
    for (const { method, path } of routes) {
      const checks: Promise<void>[] = [];
      // The plain spelling proves the route is there and guarded: 401, not 404.
      for (const auth of [undefined, 'Bearer th_wrong', 'Bearer ', 'Basic dXNlcjpwYXNz']) {
        checks.push(
          send(port, method, path, auth).then((status) => {
            if (status !== 401)
              failures.push(`${method} ${path} (${auth ?? 'no key'}) → ${status}, want 401`);
          }),
        );
      }
      for (const [how, target] of Object.entries(spellings(path, port))) {
        for (const auth of [undefined, 'Bearer th_wrong']) {
          checks.push(
            send(port, method, target, auth).then((status) => {
              if ((status >= 200 && status < 300) || status >= 500) {
                failures.push(`${method} ${target} [${how}] (${auth ?? 'no key'}) → ${status}`);
              }
            }),
          );
        }
      }
      await Promise.all(checks);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('refuses the OTLP routes, however spelled, without a key, with a wrong key in either header', async () => {
    const failures: string[] = [];
    for (const path of ['/v1/traces', '/otlp/v1/traces']) {
      const checks: Promise<void>[] = [];
      const wrongs: [string | undefined, Record<string, string>][] = [
        [undefined, {}],
        ['Bearer th_wrong', {}],
        ['Bearer ', {}],
        [undefined, { 'x-tracehouse-key': 'th_wrong' }],
        [undefined, { 'x-tracehouse-key': '' }],
        ['Basic dXNlcjpwYXNz', { 'x-tracehouse-key': validKey }],
      ];
      for (const [auth, headers] of wrongs) {
        checks.push(
          send(port, 'POST', path, auth, headers).then((status) => {
            if (status !== 401)
              failures.push(`POST ${path} (${auth ?? JSON.stringify(headers)}) → ${status}`);
          }),
        );
      }
      for (const [how, spelled] of Object.entries(otlpSpellings(path, port))) {
        checks.push(
          send(port, 'POST', spelled).then((status) => {
            if ((status >= 200 && status < 300) || status >= 500) {
              failures.push(`POST ${spelled} [${how}] (no key) → ${status}`);
            }
          }),
        );
      }
      await Promise.all(checks);
    }
    expect(failures).toEqual([]);
  });

  it('lets a valid key in either header through to the OTLP handler', async () => {
    // The stub write service throws when reached: 500 proves the request got past auth and parsing.
    const json = { 'content-type': 'application/json' };
    expect(await send(port, 'POST', '/v1/traces', `Bearer ${validKey}`, json, otlpBody)).toBe(500);
    expect(
      await send(
        port,
        'POST',
        '/otlp/v1/traces',
        undefined,
        { ...json, 'x-tracehouse-key': validKey },
        otlpBody,
      ),
    ).toBe(500);
    expect(
      await send(port, 'POST', '/v1/traces', `Bearer ${validKey}`, { 'content-type': 'text/plain' }),
    ).toBe(415);
  });

  it('lets a valid key through to the handler (so the refusals above are the auth hook at work)', async () => {
    // The stub services throw when a handler calls them: reaching one answers 500.
    expect(await send(port, 'POST', '/v2/spans', `Bearer ${validKey}`)).toBe(500);
    expect(await send(port, 'POST', '/%762/spans', `Bearer ${validKey}`)).toBe(500);
    expect(await send(port, 'POST', '/v3/spans', `Bearer ${validKey}`)).toBe(500);
    expect(await send(port, 'GET', `/%763/traces/${id}`, `Bearer ${validKey}`)).toBe(500);
  });

  it('serves health and the API reference without a key', async () => {
    expect(await send(port, 'GET', '/openapi.json')).toBe(200);
    expect(await send(port, 'GET', '/docs/')).toBe(200);
  });
});
