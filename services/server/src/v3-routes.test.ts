import { V3SpanCreated, V3TraceResponse } from '@tracehouse/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { auth, build, type Calls, project, span, spanId, traceId } from './v3-app.test-support.js';

describe('/v3 spans and traces routes', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('create answers {data: {id, trace_id, name, parent_id, type}}; v3 tag values of any JSON type are kept as text', async () => {
    const calls: Calls = [];
    app = await build({ calls });
    const res = await app.inject({
      method: 'POST',
      url: '/v3/spans',
      headers: auth,
      payload: {
        name: 'root',
        type: 'agent',
        input: 'question',
        tags: { env: 'test', attempt: 2, ok: true },
      },
    });
    expect(res.statusCode).toBe(200);
    expect(V3SpanCreated.strict().parse(res.json().data)).toEqual({
      id: spanId,
      trace_id: traceId,
      name: 'root',
      parent_id: null,
      type: 'agent',
    });
    expect(calls[0]).toMatchObject({
      method: 'planCreateSpan',
      args: [
        project,
        { name: 'root', type: 'agent', input: 'question', tags: { env: 'test', attempt: '2', ok: 'true' } },
      ],
    });
  });

  it('update and delete answer 204 without a body; a trace delete deletes every span of the trace in one write', async () => {
    const calls: Calls = [];
    app = await build({ calls });
    const update = await app.inject({
      method: 'PATCH',
      url: `/v3/spans/${spanId}`,
      headers: auth,
      payload: { output: 'answer', metadata: { round: 2 }, end_time: '2025-03-01T10:00:01.5' },
    });
    expect(update.statusCode).toBe(204);
    expect(update.body).toBe('');
    expect(calls[0]).toMatchObject({
      method: 'planUpdateSpan',
      args: [
        project,
        spanId,
        { output: 'answer', metadata: { round: 2 }, end_time: '2025-03-01T10:00:01.500000Z' },
      ],
    });
    const del = await app.inject({ method: 'DELETE', url: `/v3/spans/${spanId}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const delTrace = await app.inject({ method: 'DELETE', url: `/v3/traces/${traceId}`, headers: auth });
    expect(delTrace.statusCode).toBe(204);
    expect(calls.filter((c) => c.method === 'planDeleteTrace')).toEqual([
      {
        method: 'planDeleteTrace',
        args: [project, traceId, [spanId, '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d']],
      },
    ]);
    expect(calls.filter((c) => c.method === 'commit')).toHaveLength(1);
  });

  it('get span answers {data: span} with metadata beside meta; list answers {data, meta: {total_count}}, matching names as substrings', async () => {
    const calls: Calls = [];
    app = await build({ calls });
    const got = await app.inject({ method: 'GET', url: `/v3/spans/${spanId}`, headers: auth });
    expect(got.statusCode).toBe(200);
    expect(got.json().data).toMatchObject({
      id: spanId,
      trace_id: traceId,
      name: 'root',
      meta: { user: 'ann' },
      metadata: { user: 'ann' },
      tags: { env: 'test' },
      status: 'ok',
    });
    const list = await app.inject({
      method: 'GET',
      url: '/v3/traces?limit=10&offset=0&name=root',
      headers: auth,
    });
    expect(list.statusCode).toBe(200);
    expect(calls.at(-1)).toEqual({
      method: 'listTraces',
      args: [project, { limit: 10, offset: 0, name: 'root', nameMatch: 'contains' }],
    });
    expect(list.json()).toMatchObject({
      meta: { total_count: 1 },
      data: [{ id: traceId, name: 'root', span_count: 1, duration_ms: 1377, status: 'ok' }],
    });
  });

  it('get trace carries the trace at the top level (PyPI opperai 2.x) and under data (npm opperai 4.x)', async () => {
    app = await build();
    const res = await app.inject({ method: 'GET', url: `/v3/traces/${traceId}`, headers: auth });
    expect(res.statusCode).toBe(200);
    const body = V3TraceResponse.parse(res.json());
    // What each SDK does with the body (python: data.get("id"), data.get("spans"); npm: res.data).
    const python = { id: body.id, name: body.name, span_count: body.span_count, spans: body.spans };
    const npm = body.data;
    for (const read of [python, npm]) {
      expect(read).toMatchObject({ id: traceId, name: 'root', span_count: 1 });
      expect(read.spans).toEqual([{ ...span, metadata: span.meta }]);
    }
  });
});
