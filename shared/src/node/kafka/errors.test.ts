import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { toKafkaAppError } from './errors.js';

describe('toKafkaAppError', () => {
  it('maps connection failures to a retryable TH_KAFKA_UNAVAILABLE', () => {
    const err = toKafkaAppError(new KafkaJSConnectionError('Connection error: ECONNREFUSED'), 'producing');
    expect(err.code).toBe('TH_KAFKA_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('producing');
  });

  it('keeps the retriable flag of other kafkajs errors', () => {
    const nonRetriable = toKafkaAppError(new KafkaJSNonRetriableError('bad'), 'producing');
    expect(nonRetriable.code).toBe('TH_KAFKA');
    expect(nonRetriable.retryable).toBe(false);
    const protocol = toKafkaAppError(
      new KafkaJSProtocolError(
        Object.assign(new Error('leader not available'), {
          retriable: true,
          type: 'LEADER_NOT_AVAILABLE',
          code: 5,
        }),
      ),
      'x',
    );
    expect(protocol.retryable).toBe(true);
  });

  it('passes AppErrors through unchanged', () => {
    const original = new AppError('TH_VALIDATION', 'x');
    expect(toKafkaAppError(original, 'x')).toBe(original);
  });
});
