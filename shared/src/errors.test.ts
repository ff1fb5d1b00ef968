import { describe, expect, it } from 'vitest';
import { AppError, ErrorCodes } from './errors.js';

describe('AppError', () => {
  it('carries code, retry flag, details and cause', () => {
    const cause = new Error('socket hang up');
    const err = new AppError(ErrorCodes.KAFKA_UNAVAILABLE, 'broker unreachable', {
      retryable: true,
      cause,
      details: { brokers: 1 },
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('TH_KAFKA_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ brokers: 1 });
  });

  it('defaults to not retryable and matches by code', () => {
    const err = new AppError(ErrorCodes.VALIDATION, 'name: required');
    expect(err.retryable).toBe(false);
    expect(AppError.is(err, ErrorCodes.VALIDATION)).toBe(true);
    expect(AppError.is(err, ErrorCodes.INTERNAL)).toBe(false);
    expect(AppError.is(new Error('x'))).toBe(false);
  });

  it('codes are unique and prefixed', () => {
    const codes = Object.values(ErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^TH_[A-Z_]+$/);
  });
});
