import { ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { toClickHouseAppError } from './errors.js';

describe('toClickHouseAppError', () => {
  it('keeps the server code and type, not retryable for a bad query, and none of its text', () => {
    const text = 'Cannot parse input: expected \'"\' before: {"secret prompt": "my password is hunter2"}';
    const err = toClickHouseAppError(
      new ClickHouseError({ message: text, code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' }),
      'searching spans',
    );
    expect(err.code).toBe('TH_CLICKHOUSE_QUERY');
    expect(err.retryable).toBe(false);
    expect(err.details).toEqual({
      clickhouseCode: '27',
      clickhouseType: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
      digest: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    expect(JSON.stringify({ message: err.message, details: err.details, cause: err.cause })).not.toContain(
      'hunter2',
    );
  });

  it('marks load-related server errors retryable and keeps the requested code', () => {
    const err = toClickHouseAppError(
      new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' }),
      'inserting spans',
      'TH_CLICKHOUSE_INSERT',
    );
    expect(err.code).toBe('TH_CLICKHOUSE_INSERT');
    expect(err.retryable).toBe(true);
  });

  it('maps refused connections to a retryable TH_CLICKHOUSE_UNAVAILABLE', () => {
    const socketError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:18123'), {
      code: 'ECONNREFUSED',
    });
    const err = toClickHouseAppError(socketError, 'inserting spans');
    expect(err.code).toBe('TH_CLICKHOUSE_UNAVAILABLE');
    expect(err.retryable).toBe(true);
  });

  it('maps client timeouts to unavailable', () => {
    const err = toClickHouseAppError(new Error('Timeout error.'), 'query');
    expect(err.code).toBe('TH_CLICKHOUSE_UNAVAILABLE');
  });
});
