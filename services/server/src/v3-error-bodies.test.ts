import { AppError, ErrorCodes, V3ErrorBody } from '@tracehouse/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { auth, build, spanId, traceId } from './v3-app.test-support.js';

function expectV3Error(body: unknown, code: string): V3ErrorBody {
  const parsed = V3ErrorBody.strict().parse(body);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(0);
  return parsed;
}

describe('/v3 error bodies', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
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
