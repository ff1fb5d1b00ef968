import { gzipSync } from 'node:zlib';
import { decodeOtlpMessage } from '@tracehouse/ingest';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStubApp } from '../stub-app.test-support.js';

const key = 'th_otlp-scope-test';

/** The OTLP scope's refusals, before any write is planned (the stub write service throws if reached). */
describe('OTLP scope', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildStubApp({
      keys: { projectOf: async (k) => (k === key ? 'c0ffee00-0000-4000-8000-000000000002' : undefined) },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  const post = (headers: Record<string, string>, payload: string | Buffer = '') =>
    app.inject({ method: 'POST', url: '/v1/traces', headers, payload });

  it('answers 401 as a google.rpc.Status in the request encoding', async () => {
    const proto = await post({ 'content-type': 'application/x-protobuf' }, Buffer.alloc(0));
    expect(proto.statusCode).toBe(401);
    expect(proto.headers['content-type']).toContain('application/x-protobuf');
    expect(decodeOtlpMessage('status', proto.rawPayload)).toMatchObject({
      code: 16,
      message: expect.stringContaining('API key'),
    });
    const json = await post({ 'content-type': 'application/json' }, '{}');
    expect(json.statusCode).toBe(401);
    expect(json.json()).toMatchObject({ code: 16 });
  });

  it('accepts an empty export (no spans) and answers an empty response in each encoding', async () => {
    const proto = await post(
      { 'content-type': 'application/x-protobuf', 'x-tracehouse-key': key },
      Buffer.alloc(0),
    );
    expect(proto.statusCode).toBe(200);
    expect(proto.rawPayload.length).toBe(0);
    const json = await post(
      { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      '{"resourceSpans":[]}',
    );
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({});
  });

  it('refuses a missing or other content type 415, bad bodies 400, oversized inflated bodies 413', async () => {
    const auth = { authorization: `Bearer ${key}` };
    expect((await post(auth)).statusCode).toBe(415);
    expect((await post({ ...auth, 'content-type': 'text/plain' }, 'x')).statusCode).toBe(415);
    expect(
      (await post({ ...auth, 'content-type': 'application/json', 'content-encoding': 'deflate' }, '{}'))
        .statusCode,
    ).toBe(415);
    const notJson = await post({ ...auth, 'content-type': 'application/json' }, 'nope');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().message).toContain('not OTLP/JSON');
    const big = gzipSync(Buffer.from(`{"resourceSpans":[]${' '.repeat(17 * 1024 * 1024)}}`));
    const bomb = await post({ ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' }, big);
    expect(bomb.statusCode).toBe(413);
  });
});
