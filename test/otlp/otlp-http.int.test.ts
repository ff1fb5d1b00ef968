import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { decodeOtlpMessage, encodeProtobufTraces, spanUuid, traceUuid } from '@tracehouse/ingest';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWhenStored } from './otlp-client.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const nowNanos = () => `${BigInt(Date.now()) * 1_000_000n}`;

/** An OTLP/JSON span; `overrides` replace its fields. */
function span(traceId: string, overrides: Record<string, unknown> = {}) {
  return {
    traceId,
    spanId: hex(8),
    name: 'op',
    kind: 1,
    startTimeUnixNano: nowNanos(),
    endTimeUnixNano: nowNanos(),
    ...overrides,
  };
}

const request = (spans: unknown[]) => ({
  resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }],
});

/**
 * The OTLP/HTTP receiver at the HTTP level, with requests written by hand: refusals (400, 401, 413,
 * 415) with their reasons in OTLP's Status body, partial success, and projects kept apart.
 */
describe('OTLP/HTTP receiver: refusals, partial success, tenancy', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    // A small body limit (for the gzip bomb) and input limit (for a span over it).
    stack = await Stack.create({
      env: { BODY_LIMIT_BYTES: String(1024 * 1024), IO_MAX_BYTES: String(64 * 1024) },
    });
    const ingest = await stack.startIngest();
    await stack.startWriter();
    base = await ingest.app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const post = (body: string | Uint8Array, headers: Record<string, string>, path = '/v1/traces') =>
    fetch(`${base}${path}`, { method: 'POST', body, headers });
  const json = (key = stack.apiKey) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${key}`,
  });
  const proto = (key = stack.apiKey) => ({
    'content-type': 'application/x-protobuf',
    authorization: `Bearer ${key}`,
  });

  it('answers an undecodable body 400 with the reason, in the request encoding', async () => {
    const badProto = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), proto());
    expect(badProto.status).toBe(400);
    expect(badProto.headers.get('content-type')).toContain('application/x-protobuf');
    const status = decodeOtlpMessage('status', new Uint8Array(await badProto.arrayBuffer()));
    expect(status).toMatchObject({
      code: 3,
      message: expect.stringContaining('not an OTLP ExportTraceServiceRequest'),
    });

    const badJson = await post('{"resourceSpans": [', json());
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({
      code: 3,
      message: expect.stringContaining('not OTLP/JSON'),
    });

    const notOtlp = await post('{"resourceSpans": 7}', json());
    expect(notOtlp.status).toBe(400);
    expect(await notOtlp.json()).toMatchObject({ message: 'resourceSpans: expected an array' });

    const badGzip = await post('not gzip', { ...json(), 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect(await badGzip.json()).toMatchObject({ message: 'body: not valid gzip' });
  });

  it('answers unsupported content types and encodings 415, and a gzip bomb 413', async () => {
    const text = await post('hello', {
      'content-type': 'text/plain',
      authorization: `Bearer ${stack.apiKey}`,
    });
    expect(text.status).toBe(415);
    const brotli = await post('{}', { ...json(), 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect(await brotli.json()).toMatchObject({ message: expect.stringContaining('content-encoding: br') });
    // 2 MiB of JSON whitespace gzips to a few KiB, past the 1 MiB body limit once inflated.
    const bomb = gzipSync(Buffer.from(`{"resourceSpans":[]${' '.repeat(2 * 1024 * 1024)}}`));
    const big = await post(bomb, { ...json(), 'content-encoding': 'gzip' });
    expect(big.status).toBe(413);
  });

  it('refuses requests without a valid key 401, in either header', async () => {
    const body = JSON.stringify(request([span(hex(16))]));
    expect((await post(body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(body, json('th_wrong'))).status).toBe(401);
    const viaHeader = await post(
      body,
      { 'content-type': 'application/json', 'x-tracehouse-key': stack.apiKey },
      '/otlp/v1/traces',
    );
    expect(viaHeader.status).toBe(200);
    expect(await viaHeader.json()).toEqual({});
  });

  it('rejects invalid spans alone, with a partial success naming them (JSON and protobuf)', async () => {
    const traceId = hex(16);
    const good = span(traceId, { name: 'good' });
    const spans = [
      good,
      span(traceId, { spanId: '0000000000000000' }),
      span(traceId, { name: '' }),
      span(traceId, { attributes: [{ key: 'input.value', value: { stringValue: 'x'.repeat(100 * 1024) } }] }),
    ];
    const res = await post(JSON.stringify(request(spans.slice(0, 3))), json());
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('2');
    expect(body.partialSuccess.errorMessage).toContain('span 0000000000000000: spanId: must be 8 bytes');
    expect(body.partialSuccess.errorMessage).toContain('name:');

    const goodSpan = await readWhenStored<{ name: string }>(
      stack,
      `${base}/v2/spans/${spanUuid(traceId, good.spanId)}`,
      stack.apiKey,
    );
    expect(goodSpan.name).toBe('good');

    // Protobuf: an input over IO_MAX_BYTES is a rejected span, answered in protobuf.
    const withBig = await post(
      Buffer.from(encodeProtobufTraces(request([span(traceId), spans[3]]))),
      proto(),
    );
    expect(withBig.status).toBe(200);
    expect(withBig.headers.get('content-type')).toContain('application/x-protobuf');
    expect(decodeOtlpMessage('response', new Uint8Array(await withBig.arrayBuffer()))).toMatchObject({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage: expect.stringContaining('input: must be at most 65536 bytes'),
      },
    });
  });

  it('keeps projects apart: the same OTel ids in two projects are two spans, each read only by its own', async () => {
    const other = await stack.otherProjectKey();
    const traceId = hex(16);
    const s = span(traceId, { name: 'mine' });
    expect((await post(JSON.stringify(request([s])), json())).status).toBe(200);
    expect((await post(JSON.stringify(request([{ ...s, name: 'theirs' }])), json(other.key))).status).toBe(
      200,
    );
    const id = spanUuid(traceId, s.spanId);
    const mine = await readWhenStored<{ name: string }>(stack, `${base}/v2/spans/${id}`, stack.apiKey);
    const theirs = await readWhenStored<{ name: string }>(stack, `${base}/v2/spans/${id}`, other.key);
    expect(mine.name).toBe('mine');
    expect(theirs.name).toBe('theirs');
    const third = await stack.otherProjectKey();
    const res = await fetch(`${base}/v2/traces/${traceUuid(traceId)}`, {
      headers: { authorization: `Bearer ${third.key}` },
    });
    expect(res.status).toBe(404);
  });
});
