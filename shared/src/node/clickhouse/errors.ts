import { createHash } from 'node:crypto';
import { ClickHouseError } from '@clickhouse/client';
import { AppError, type ErrorCode, ErrorCodes } from '../../errors.js';

/**
 * Server error codes worth retrying: load, limits and transient network trouble.
 * Everything else (syntax, unknown column, type mismatch) fails the same way again.
 */
const retryableServerCodes = new Set([
  '159', // TIMEOUT_EXCEEDED
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '319', // UNKNOWN_STATUS_OF_INSERT
  '425', // SYSTEM_ERROR
  '999', // KEEPER_EXCEPTION
]);

// Node socket errors that mean the server is not reachable right now.
const unavailableErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Translates a clickhouse-js or socket error once, at the adapter boundary. */
export function toClickHouseAppError(
  err: unknown,
  action: string,
  code: ErrorCode = ErrorCodes.CLICKHOUSE_QUERY,
): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ClickHouseError) {
    // The server's text can quote the row or query it refused, and rows carry users' payloads: it stays
    // out of messages, logs and dead letters. The code, type and a digest of the text identify it.
    return new AppError(code, `ClickHouse error ${err.code} (${err.type ?? 'unknown'}) while ${action}`, {
      retryable: retryableServerCodes.has(err.code),
      details: { clickhouseCode: err.code, clickhouseType: err.type, digest: digestOf(err.message) },
    });
  }
  const e = err as { code?: string; message?: string };
  const timedOut = /timeout/i.test(e?.message ?? '') && !e?.code;
  if ((e?.code && unavailableErrnos.has(e.code)) || timedOut) {
    return new AppError(ErrorCodes.CLICKHOUSE_UNAVAILABLE, `ClickHouse unavailable while ${action}`, {
      retryable: true,
      cause: err,
      details: e?.code ? { errno: e.code } : {},
    });
  }
  return new AppError(code, `ClickHouse failure while ${action}`, {
    retryable: false,
    details: { digest: digestOf(e?.message ?? String(err)) },
  });
}

/** A short, stable fingerprint of an error text: equal failures group together, nothing is quoted. */
const digestOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
