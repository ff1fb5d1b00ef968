import { AppError, type ErrorCode, ErrorCodes } from '@tracehouse/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isV3Url, v3ErrorBody, v3Status } from './v3-errors.js';

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

/** What an error answers, before it is put in a version's body shape. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  /** Machine-readable extras of a 4xx (the field, retry hints); empty for 5xx. */
  details: Record<string, unknown>;
}

/**
 * Status, stable code and message of any error a route throws. 5xx hide internals and are logged once
 * with the request id; back-pressure (503) tells the client when to retry.
 */
export function answerError(
  original: FastifyError | AppError,
  request: FastifyRequest,
  reply: FastifyReply,
): ErrorAnswer {
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
  return { status, code, message, details };
}

/** The answer to a request that matched no route. */
export const routeNotFound = (request: FastifyRequest): ErrorAnswer => ({
  status: 404,
  code: ErrorCodes.NOT_FOUND,
  message: `Route ${request.method} ${request.url.split('?')[0]} not found`,
  details: {},
});

/** Opper v2's shape (`type`, `message`, `detail`); `code` is ours, and SDKs ignore unknown keys. */
const v2Body = (a: ErrorAnswer) => ({
  type: typeOf[a.status] ?? (a.status >= 500 ? 'InternalServerError' : 'BadRequestError'),
  message: a.message,
  detail: Object.keys(a.details).length > 0 ? a.details : null,
  code: a.code,
});

/**
 * The one HTTP error handler, in Opper v2's error shape (the `/v3` scope puts the same answers in
 * v3's shape, see v3-errors.ts, and the OTLP scope in OTLP's, see otlp-scope.ts). 4xx carry a message
 * naming the problem.
 */
export const errorHandlerPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      const answer = answerError(error, request, reply);
      reply.code(answer.status).send(v2Body(answer));
    });
    app.setNotFoundHandler((request, reply) => {
      const answer = routeNotFound(request);
      // Unknown routes under /v3 answer in v3's shape, like everything else there.
      const body = isV3Url(request.url) ? v3ErrorBody(answer) : v2Body(answer);
      reply.code(404).send(body);
    });
  },
  { name: 'error-handler' },
);

/**
 * The error handler of the `/v3` scope: the same answers as v2 (status, code, logging, Retry-After) in
 * v3's body. Fastify runs a scope's handler for its hooks' errors too (auth 401, rate limit 429, body
 * parsing 400), so nothing under /v3 answers in v2's shape.
 */
export function setV3ErrorHandler(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const answer = answerError(error, request, reply);
    reply.code(v3Status(answer)).send(v3ErrorBody(answer));
  });
}
