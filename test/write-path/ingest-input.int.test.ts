import { Stack } from '@tracehouse/test-support/stack';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient } from './helpers.js';

describe('ingest: bad input, auth and scoping', () => {
  let stack: Stack;
  let app: FastifyInstance;
  let api: IngestClient;

  beforeAll(async () => {
    stack = await Stack.create({
      env: { IO_MAX_BYTES: '2048', BODY_LIMIT_BYTES: '65536', INGEST_MAX_ITEMS: '50' },
    });
    app = (await stack.startIngest()).app;
    api = injectClient(app, stack.apiKey);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('rejects a span without a name, naming the field', async () => {
    const res = await api.request('POST', '/v2/spans', { input: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^name: /);
    expect(res.body.detail.errors[0].loc).toEqual(['body', 'name']);
  });

  it('names each bad field: too-long name, bad timestamp, bad parent id, too many tags', async () => {
    const tags = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    const res = await api.request('POST', '/v2/spans', {
      name: 'x'.repeat(257),
      start_time: 'yesterday',
      parent_id: 'not-a-uuid',
      tags,
    });
    expect(res.status).toBe(422);
    for (const field of ['name', 'start_time', 'parent_id', 'tags'])
      expect(res.body.message).toContain(`${field}:`);
  });

  it('refuses input larger than the configured limit by name', async () => {
    const res = await api.request('POST', '/v2/spans', { name: 'big', input: 'x'.repeat(3000) });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^input: must be at most 2048 bytes/);
  });

  it('answers 413 for a body over the limit and 400 for malformed JSON', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/v2/spans',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', meta: { blob: 'y'.repeat(70_000) } }),
    });
    expect(big.statusCode).toBe(413);
    const broken = await app.inject({
      method: 'POST',
      url: '/v2/spans',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(broken.statusCode).toBe(400);
  });

  it('answers 422 for a malformed path id and 404 for an unknown span', async () => {
    expect((await api.request('PATCH', '/v2/spans/not-a-uuid', {})).status).toBe(422);
    const unknown = await api.request('PATCH', '/v2/spans/00000000-0000-4000-8000-000000000000', {
      name: 'x',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      type: 'NotFoundError',
      message: 'Span not found',
      detail: null,
      code: 'TH_NOT_FOUND',
    });
  });

  it('refuses feedback outside 0..1, naming the score', async () => {
    const span = await api.request('POST', '/v2/spans', { name: 'rated' });
    const res = await api.request('POST', `/v2/spans/${span.body.id}/feedback`, { score: 1.5 });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^score: /);
  });

  it('answers 401 without a key or with a wrong one', async () => {
    const none = await app.inject({ method: 'POST', url: '/v2/spans', payload: { name: 'x' } });
    expect(none.statusCode).toBe(401);
    const wrong = await injectClient(app, 'th_wrong').request('POST', '/v2/spans', { name: 'x' });
    expect(wrong.status).toBe(401);
  });

  it("never lets one project write to another project's span", async () => {
    const mine = await api.request('POST', '/v2/spans', { name: 'mine' });
    const other = await stack.otherProjectKey();
    const theirs = injectClient(app, other.key);
    expect((await theirs.request('PATCH', `/v2/spans/${mine.body.id}`, { name: 'hijack' })).status).toBe(404);
    expect(
      (await theirs.request('POST', `/v2/spans/${mine.body.id}/metrics`, { dimension: 'x', value: 1 }))
        .status,
    ).toBe(404);
    expect((await theirs.request('DELETE', `/v2/spans/${mine.body.id}`)).status).toBe(404);
    // The owner still can.
    expect((await api.request('PATCH', `/v2/spans/${mine.body.id}`, { name: 'renamed' })).status).toBe(200);
  });

  it('a child finds its parent trace through an ingest started after the parent was acknowledged', async () => {
    // No writer runs in this file, so ClickHouse cannot answer: only the replayed span index can.
    const root = await api.request('POST', '/v2/spans', { name: 'root' });
    const child = await api.request('POST', '/v2/spans', { name: 'child', parent_id: root.body.id });
    const restarted = injectClient((await stack.startIngest()).app, stack.apiKey);
    const grandchild = await restarted.request('POST', '/v2/spans', {
      name: 'grandchild',
      parent_id: child.body.id,
    });
    expect(grandchild.status).toBe(200);
    expect(grandchild.body.trace_id).toBe(root.body.id);
  });

  it('accepts a batch with per-item results: one bad item does not reject the rest', async () => {
    const parentId = '7f9c0c8e-6d1f-4c1e-9a51-1b2c3d4e5f60';
    const res = await api.request('POST', '/v2/ingest', {
      items: [
        { type: 'span.create', body: { id: parentId, name: 'root' } },
        { type: 'span.create', body: { name: 'child', parent_id: parentId } },
        { type: 'span.create', body: { input: 'no name' } },
        { type: 'span.update', span_id: parentId, body: { output: 'done' } },
        { type: 'metric.create', span_id: parentId, body: { dimension: 'score', value: 1 } },
        { type: 'span.update', span_id: '00000000-0000-4000-8000-000000000000', body: {} },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(4);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([200, 200, 422, 200, 200, 404]);
    expect(res.body.results[1].trace_id).toBe(parentId);
    expect(res.body.results[2].error.message).toMatch(/name/);
    const tooMany = await api.request('POST', '/v2/ingest', {
      items: Array.from({ length: 51 }, () => ({ type: 'span.create', body: { name: 'x' } })),
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.message).toMatch(/^items: at most 50/);
  });
});
