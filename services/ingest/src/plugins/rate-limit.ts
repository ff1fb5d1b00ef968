import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import { AppError, ErrorCodes } from '@tracehouse/shared';
import fp from 'fastify-plugin';

export interface RateLimitOptions {
  /** Requests per key per window. */
  max: number;
  windowMs: number;
}

/**
 * Per-API-key request limits on `/v2` (@fastify/rate-limit: fixed windows, an in-memory LRU store, so
 * per process). Over the limit: 429 with `Retry-After`. Keyed by a hash of the Authorization header,
 * so it runs before the key is even looked up and a flood of bad keys is limited too.
 */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, options) => {
    await app.register(rateLimit, {
      global: true,
      max: options.max,
      timeWindow: options.windowMs,
      cache: 100_000,
      allowList: (request) => !request.url.startsWith('/v2/'),
      keyGenerator: (request) =>
        createHash('sha256')
          .update(request.headers.authorization ?? `ip:${request.ip}`)
          .digest('base64url'),
      errorResponseBuilder: (_request, context) =>
        new AppError(
          ErrorCodes.RATE_LIMITED,
          `Rate limit of ${context.max} requests per ${context.after} exceeded`,
          {
            retryable: true,
            details: { retry_after_seconds: Math.ceil(context.ttl / 1000) },
          },
        ),
    });
  },
  { name: 'rate-limit', dependencies: ['error-handler'] },
);
