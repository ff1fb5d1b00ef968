import { AppError, ErrorCodes } from '../../errors.js';

// kafkajs error class names that mean "the broker is not there right now", as opposed to a refusal.
const unavailableNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
]);

/** Translates any kafkajs error once, at the adapter boundary, into an AppError with a stable code. */
export function toKafkaAppError(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; message?: string; retriable?: boolean; type?: string };
  const name = e?.name ?? 'Error';
  if (unavailableNames.has(name)) {
    return new AppError(ErrorCodes.KAFKA_UNAVAILABLE, `Kafka unavailable while ${action}`, {
      retryable: true,
      cause: err,
      details: { kafkaError: name },
    });
  }
  return new AppError(ErrorCodes.KAFKA, `Kafka error while ${action}: ${e?.message ?? String(err)}`, {
    retryable: e?.retriable === true,
    cause: err,
    details: { kafkaError: name, ...(e?.type ? { kafkaType: e.type } : {}) },
  });
}
