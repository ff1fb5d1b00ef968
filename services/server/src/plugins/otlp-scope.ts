import {
  encodeStatus,
  type OtlpRoutesOptions,
  otlpContentTypes,
  otlpEncodingOf,
  otlpRoutes,
} from '@tracehouse/ingest';
import type { AppError } from '@tracehouse/shared';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { type AuthOptions, projectAuthPlugin } from './auth.js';
import { answerError } from './error-handler.js';
import { projectRateLimitPlugin, type RateLimitOptions } from './rate-limit.js';

/** HTTP status → google.rpc.Code, for the Status body OTLP/HTTP clients read on an error. */
const grpcCodeOf: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  404: 5, // NOT_FOUND
  413: 3,
  415: 3,
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

export interface OtlpScopeOptions {
  auth: AuthOptions;
  rateLimit: RateLimitOptions;
  otlp: OtlpRoutesOptions;
}

/**
 * The OTLP/HTTP receiver's scope: a project from `Authorization: Bearer` or `x-tracehouse-key`, the
 * per-project rate limit (its own budget, beside `/v2`'s), and errors answered as OTLP says: a
 * google.rpc.Status in the request's encoding, with the same statuses as the rest of the API.
 */
export const otlpScope: FastifyPluginAsync<OtlpScopeOptions> = async (scope, options) => {
  await scope.register(projectAuthPlugin, { ...options.auth, keyHeader: 'x-tracehouse-key' });
  if (options.rateLimit.max > 0) await scope.register(projectRateLimitPlugin, options.rateLimit);
  scope.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const { status, message } = answerError(error, request, reply);
    const encoding = otlpEncodingOf(request);
    reply
      .code(status)
      .type(otlpContentTypes[encoding])
      .send(encodeStatus(grpcCodeOf[status] ?? (status >= 500 ? 13 : 3), message, encoding));
  });
  await scope.register(otlpRoutes, options.otlp);
};
