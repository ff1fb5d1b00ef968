import type { ReadSide } from '@tracehouse/api';
import type { WriteService } from '@tracehouse/ingest';
import {
  AppError,
  ErrorCodes,
  type SpanView,
  type TraceDetail,
  V3ErrorBody,
  V3SpanCreated,
  V3TraceResponse,
} from '@tracehouse/shared';
import { createLogger, HealthRegistry } from '@tracehouse/shared/node';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServerApp } from './app.js';
import { handlerReached } from './stub-app.test-support.js';

const project = 'c0ffee00-0000-4000-8000-000000000001';
const key = 'th_v3-route-test-key';
const auth = { authorization: `Bearer ${key}` };
const spanId = '0b7e2d1c-4a8f-4c1e-9f3a-2d6b8e0c5a71';
const traceId = '5f0c8a2e-1b3d-4e6f-8a9b-0c1d2e3f4a5b';

const span: SpanView = {
  id: spanId,
  name: 'root',
  trace_id: traceId,
  parent_id: null,
  type: 'agent',
  start_time: '2025-03-01T10:00:00.123456Z',
  end_time: '2025-03-01T10:00:01.5Z',
  input: 'question',
  output: 'answer',
  error: null,
  meta: { user: 'ann' },
  score: null,
  feedback: null,
  tags: { env: 'test' },
  status: 'ok',
  duration_ms: 1376.544,
  model: null,
  usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  cost: null,
};

const trace: TraceDetail = {
  id: traceId,
  name: 'root',
  start_time: span.start_time,
  end_time: span.end_time,
  duration_ms: 1377,
  status: 'ok',
  input: 'question',
  output: 'answer',
  total_tokens: 0,
  root_span_id: spanId,
  span_count: 1,
  error_count: 0,
  total_cost: 0,
  tags: { env: 'test' },
  spans: [],
};

type Calls = { method: string; args: unknown[] }[];

/**
 * Write and read services that answer like the real ones for the calls the v3 routes make (and record
 * them): these tests are about the routes' HTTP contract; the integration test runs the real ones.
 */
function fakes(calls: Calls, fail?: () => never) {
  const record =
    (method: string, answer: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      if (fail) fail();
      return answer(...args);
    };
  const writes = {
    planCreateSpan: record('planCreateSpan', (_p, body) => ({
      result: { ...span, ...(body as object), id: spanId, trace_id: traceId, parent_id: null },
    })),
    planUpdateSpan: record('planUpdateSpan', () => ({ result: span })),
    planDeleteSpan: record('planDeleteSpan', () => ({ result: undefined })),
    planDeleteTrace: (...args: unknown[]) => {
      calls.push({ method: 'planDeleteTrace', args });
      return { records: [], entries: [], result: undefined };
    },
    commit: record('commit', () => undefined),
    run: async (plan: Promise<{ result: unknown }>) => (await plan).result,
  } as unknown as WriteService;
  const reads = {
    getSpan: record('getSpan', () => span),
    listTraces: record('listTraces', () => ({ meta: { total_count: 1 }, data: [trace] })),
    getTraceWithSpans: record('getTraceWithSpans', () => ({ trace, spans: [span] })),
  } as unknown as ReadSide['reads'];
  return { writes, reads };
}

async function build(options: { calls?: Calls; fail?: () => never; rateLimitMax?: number } = {}) {
  const { writes, reads } = fakes(options.calls ?? [], options.fail);
  return buildServerApp({
    logger: createLogger({ name: 'test', level: 'silent' }),
    health: new HealthRegistry(),
    auth: { keys: { projectOf: async (k) => (k === key ? project : undefined) } },
    rateLimit: { max: options.rateLimitMax ?? 0, windowMs: 60_000 },
    writes: {
      writes,
      spanAfterWrite: async () => undefined,
      traceSpanIds: async () => [spanId, '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'],
      maxBatchItems: 10,
    },
    reads: {
      reads,
      search: handlerReached('search') as ReadSide['search'],
      clickhouse: handlerReached('clickhouse') as ReadSide['clickhouse'],
      analytics: () => {
        throw new Error('analytics called');
      },
      datasetEntries: () => {
        throw new Error('datasetEntries called');
      },
    },
  });
}

/** Exactly the v3 error body, with the code given. */
function expectV3Error(body: unknown, code: string): V3ErrorBody {
  const parsed = V3ErrorBody.strict().parse(body);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(0);
  return parsed;
}

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

  it('401 without a key or with a wrong key, in the v3 body; v2 keeps its own body', async () => {
    app = await build();
    for (const headers of [{}, { authorization: 'Bearer th_wrong' }, { authorization: 'Basic eDp5' }]) {
      const res = await app.inject({ method: 'GET', url: `/v3/traces/${traceId}`, headers });
      expect(res.statusCode).toBe(401);
      expectV3Error(res.json(), ErrorCodes.UNAUTHORIZED);
    }
    const v2 = await app.inject({ method: 'GET', url: `/v2/traces/${traceId}` });
    expect(v2.statusCode).toBe(401);
    expect(v2.json()).toEqual({
      type: 'UnauthorizedError',
      message: 'Missing API key: send Authorization: Bearer <key>',
      detail: null,
      code: ErrorCodes.UNAUTHORIZED,
    });
  });

  it('invalid input is 400 naming the field (body, path, query, unreadable JSON); v2 stays 422', async () => {
    app = await build();
    const cases = [
      { method: 'POST' as const, url: '/v3/spans', payload: { type: 'x' }, field: 'name' },
      {
        method: 'POST' as const,
        url: '/v3/spans',
        payload: { name: 'x', parent_id: 'nope' },
        field: 'parent_id',
      },
      {
        method: 'PATCH' as const,
        url: `/v3/spans/${spanId}`,
        payload: { end_time: 'yesterday' },
        field: 'end_time',
      },
      { method: 'GET' as const, url: '/v3/spans/not-a-uuid', field: 'span_id' },
      { method: 'GET' as const, url: '/v3/traces?limit=0', field: 'limit' },
      { method: 'GET' as const, url: '/v3/traces?offset=-1', field: 'offset' },
    ];
    for (const c of cases) {
      const res = await app.inject({ method: c.method, url: c.url, headers: auth, payload: c.payload });
      expect(res.statusCode, `${c.method} ${c.url}`).toBe(400);
      const { error } = expectV3Error(res.json(), ErrorCodes.VALIDATION);
      expect(error.message).toContain(c.field);
      expect(error.details?.field).toBe(c.field);
    }
    const unreadable = await app.inject({
      method: 'POST',
      url: '/v3/spans',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(unreadable.statusCode).toBe(400);
    expectV3Error(unreadable.json(), ErrorCodes.BAD_REQUEST);
    const v2 = await app.inject({ method: 'GET', url: '/v2/spans/not-a-uuid', headers: auth });
    expect(v2.statusCode).toBe(422);
    expect(v2.json().type).toBe('UnprocessableEntityError');
  });

  it('404 in the v3 body, for an unknown span and for a route that does not exist', async () => {
    app = await build({
      fail: () => {
        throw new AppError(ErrorCodes.NOT_FOUND, 'Span not found');
      },
    });
    const missing = await app.inject({ method: 'GET', url: `/v3/spans/${spanId}`, headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(expectV3Error(missing.json(), ErrorCodes.NOT_FOUND).error.message).toBe('Span not found');
    for (const accept of ['application/json', 'text/html']) {
      // text/html: a browser navigation, which the dashboard never takes for a /v3 path.
      const noRoute = await app.inject({
        method: 'GET',
        url: '/v3/nothing-here',
        headers: { ...auth, accept },
      });
      expect(noRoute.statusCode).toBe(404);
      expectV3Error(noRoute.json(), ErrorCodes.NOT_FOUND);
    }
    const v2NoRoute = await app.inject({ method: 'GET', url: '/v2/nothing-here' });
    expect(v2NoRoute.json().type).toBe('NotFoundError');
  });

  it('429 past the rate limit (shared with /v2) with Retry-After, in the v3 body', async () => {
    app = await build({ rateLimitMax: 2 });
    expect((await app.inject({ method: 'GET', url: `/v2/spans/${spanId}`, headers: auth })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ method: 'GET', url: `/v3/spans/${spanId}`, headers: auth })).statusCode).toBe(
      200,
    );
    const limited = await app.inject({ method: 'GET', url: `/v3/spans/${spanId}`, headers: auth });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expectV3Error(limited.json(), ErrorCodes.RATE_LIMITED);
  });

  it('503 with Retry-After when Kafka pushes back; 500 hides internals; both in the v3 body', async () => {
    app = await build({
      fail: () => {
        throw new AppError(ErrorCodes.KAFKA_BACKPRESSURE, 'Producer queue full', { retryable: true });
      },
    });
    const busy = await app.inject({
      method: 'POST',
      url: '/v3/spans',
      headers: auth,
      payload: { name: 'x' },
    });
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expectV3Error(busy.json(), ErrorCodes.KAFKA_BACKPRESSURE);
    await app.close();

    app = await build({
      fail: () => {
        throw new Error('secret internals');
      },
    });
    const bug = await app.inject({ method: 'GET', url: `/v3/spans/${spanId}`, headers: auth });
    expect(bug.statusCode).toBe(500);
    expect(bug.body).not.toContain('secret');
    expectV3Error(bug.json(), ErrorCodes.INTERNAL);
  });
});
