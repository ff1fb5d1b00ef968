import { AppError, type ErrorCode, ErrorCodes } from '@tracehouse/shared';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const statusOf: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.VALIDATION]: 422,
  [ErrorCodes.BAD_REQUEST]: 400,
  [ErrorCodes.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCodes.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.RATE_LIMITED]: 429,
  [ErrorCodes.QUERY_LIMIT]: 422,
  [ErrorCodes.KAFKA_UNAVAILABLE]: 503,
  [ErrorCodes.KAFKA_BACKPRESSURE]: 503,
  [ErrorCodes.KAFKA]: 503,
  [ErrorCodes.CLICKHOUSE_UNAVAILABLE]: 503,
  [ErrorCodes.SHUTTING_DOWN]: 503,
  [ErrorCodes.NOT_YET_STORED]: 503,
};

/** ClickHouse refusals caused by the per-query limits the server sets on reads (not server trouble). */
const queryLimitCodes = new Set([
  '159', // TIMEOUT_EXCEEDED (max_execution_time)
  '241', // MEMORY_LIMIT_EXCEEDED (max_memory_usage)
  '396', // TOO_MANY_ROWS_OR_BYTES (max_result_rows)
]);

/** A read that hit the per-query limits answers 422 naming the filter, not 500. */
function withQueryLimits(error: FastifyError | AppError): FastifyError | AppError {
  if (!(error instanceof AppError) || error.code !== ErrorCodes.CLICKHOUSE_QUERY) return error;
  if (!queryLimitCodes.has(String(error.details.clickhouseCode))) return error;
  return new AppError(
    ErrorCodes.QUERY_LIMIT,
    "filter: the query went past the server's limits (time, memory or rows); narrow the filter or the time window",
    { cause: error, details: { field: 'filter', clickhouseCode: error.details.clickhouseCode } },
  );
}

const typeOf: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  404: 'NotFoundError',
  413: 'RequestTooLargeError',
  415: 'UnsupportedMediaTypeError',
  422: 'UnprocessableEntityError',
  429: 'TooManyRequestsError',
  503: 'ServiceUnavailableError',
};

/** What an error answers: status, message and code, with internals of 5xx hidden and logged once. */
export function httpErrorOf(original: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  const error = withQueryLimits(original);
  let status: number;
  let message: string;
  if (error instanceof AppError) {
    status = statusOf[error.code] ?? 500;
    message = error.message;
  } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    status = error.statusCode;
    message = error.message;
  } else {
    status = 500;
    message = 'Internal server error';
  }
  if (status >= 500) {
    request.log.error({ err: error, reqId: request.id }, 'request failed');
    if (status === 503) reply.header('retry-after', '1');
    if (status === 500) message = 'Internal server error';
  }
  const code = error instanceof AppError ? error.code : status >= 500 ? ErrorCodes.INTERNAL : error.code;
  const details = error instanceof AppError && status < 500 ? error.details : {};
  return { status, message, code, details };
}

/**
 * The one HTTP error handler. 4xx carry a message naming the problem in Opper's error shape
 * (`{type, message, detail}`); 5xx hide internals and are logged once with the request id;
 * back-pressure (503) tells the client when to retry. (The OTLP scope answers the same errors in
 * OTLP's shape: plugins/otlp-scope.ts.)
 */
export const errorHandlerPlugin = fp(
  async (app) => {
    app.setErrorHandler((original: FastifyError | AppError, request, reply) => {
      const { status, message, code, details } = httpErrorOf(original, request, reply);
      // Opper's shape (`type`, `message`, `detail`); `code` is ours, and SDKs ignore unknown keys.
      reply.code(status).send({
        type: typeOf[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequestError'),
        message,
        detail: Object.keys(details).length > 0 ? details : null,
        code,
      });
    });
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send({
        type: 'NotFoundError',
        message: `Route ${request.method} ${request.url.split('?')[0]} not found`,
        detail: null,
        code: ErrorCodes.NOT_FOUND,
      });
    });
  },
  { name: 'error-handler' },
);
