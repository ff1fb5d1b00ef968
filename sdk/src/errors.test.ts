import { describe, expect, it } from 'vitest';
import { parseRetryAfter, TracehouseError } from './errors.js';

describe('TracehouseError', () => {
  it("reads the server's {type, message, detail, code} and Retry-After", () => {
    const err = TracehouseError.fromResponse(
      503,
      JSON.stringify({
        type: 'ServiceUnavailableError',
        message: 'busy',
        detail: null,
        code: 'TH_OVERLOADED',
      }),
      new Headers({ 'retry-after': '1' }),
      'POST /ingest',
    );
    expect(err).toMatchObject({
      name: 'TracehouseError',
      status: 503,
      type: 'ServiceUnavailableError',
      code: 'TH_OVERLOADED',
      message: 'busy',
      retryAfterSeconds: 1,
      retryable: true,
    });
  });

  it('keeps a FastAPI-style detail and survives a body that is not JSON', () => {
    const detail = [{ loc: ['body', 'name'], msg: 'Field required' }];
    const fastapi = TracehouseError.fromResponse(
      422,
      JSON.stringify({ detail }),
      new Headers(),
      'POST /spans',
    );
    expect(fastapi).toMatchObject({ status: 422, type: 'APIError', detail, retryable: false });
    expect(fastapi.message).toBe('POST /spans failed with 422');
    const proxy = TracehouseError.fromResponse(502, '<html>Bad gateway</html>', new Headers(), 'GET /traces');
    expect(proxy).toMatchObject({ status: 502, code: '', detail: null, retryable: true });
  });

  it('is retryable for network errors, 408, 429 and 5xx only', () => {
    const retryable = [0, 400, 401, 404, 408, 413, 422, 429, 500, 503].filter(
      (status) => new TracehouseError('x', { status }).retryable,
    );
    expect(retryable).toEqual([0, 408, 429, 500, 503]);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
