/**
 * One error type for the whole system. Codes are stable (clients, dashboards and retries key on them),
 * prefixed `TH_`, and only ever added to. Retries are decided by `retryable`/`code`, never by message text.
 */
export const ErrorCodes = {
  /** Input failed validation; the message names the field. */
  VALIDATION: 'TH_VALIDATION',
  /** The request itself is unreadable (not JSON, not UTF-8, nested too deep). */
  BAD_REQUEST: 'TH_BAD_REQUEST',
  /** The body's content type or encoding is not one the route reads (OTLP: protobuf/JSON, gzip). */
  UNSUPPORTED_MEDIA_TYPE: 'TH_UNSUPPORTED_MEDIA_TYPE',
  /** Request body larger than allowed. */
  PAYLOAD_TOO_LARGE: 'TH_PAYLOAD_TOO_LARGE',
  UNAUTHORIZED: 'TH_UNAUTHORIZED',
  NOT_FOUND: 'TH_NOT_FOUND',
  RATE_LIMITED: 'TH_RATE_LIMITED',
  /** Configuration (env) is invalid; the process must not start. */
  CONFIG: 'TH_CONFIG',
  /** Kafka cannot be reached or refused the write; safe to retry. */
  KAFKA_UNAVAILABLE: 'TH_KAFKA_UNAVAILABLE',
  /** The local producer queue is full: back-pressure, retry later. */
  KAFKA_BACKPRESSURE: 'TH_KAFKA_BACKPRESSURE',
  KAFKA: 'TH_KAFKA',
  CLICKHOUSE_UNAVAILABLE: 'TH_CLICKHOUSE_UNAVAILABLE',
  CLICKHOUSE_QUERY: 'TH_CLICKHOUSE_QUERY',
  CLICKHOUSE_INSERT: 'TH_CLICKHOUSE_INSERT',
  MIGRATION: 'TH_MIGRATION',
  /** A message on a topic could not be parsed or applied; it goes to the dead-letter topic. */
  POISON_MESSAGE: 'TH_POISON_MESSAGE',
  SHUTTING_DOWN: 'TH_SHUTTING_DOWN',
  /** The stored data a writer batch must read is over its bound: the batch is written in halves. */
  BATCH_TOO_LARGE: 'TH_BATCH_TOO_LARGE',
  /** Acknowledged but not stored yet (the writer is behind): retry shortly. */
  NOT_YET_STORED: 'TH_NOT_YET_STORED',
  /** A read query went past the server's per-query limits (time, memory, rows): narrow it. */
  QUERY_LIMIT: 'TH_QUERY_LIMIT',
  INTERNAL: 'TH_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface AppErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** Machine-readable extras, e.g. `{ field: 'name' }` or `{ clickhouseCode: '47' }`. Never secrets. */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }

  static is(err: unknown, code?: ErrorCode): err is AppError {
    return err instanceof AppError && (code === undefined || err.code === code);
  }
}
