import rateLimit from '@fastify/rate-limit';
import { AppError, ErrorCodes } from '@tracehouse/shared';
import fp from 'fastify-plugin';

export interface RateLimitOptions {
  /** Requests per project per window. */
  max: number;
  windowMs: number;
}

/**
 * Per-project request limits on the routes of the scope it is registered in (@fastify/rate-limit:
 * fixed windows, an in-memory LRU store, so per process). It runs after authentication (the
 * `preParsing` hook, before the body is read), keyed by the project the key resolved to, so every key
 * of a project shares one budget. Over the limit: 429 with `Retry-After`. Floods of bad keys never
 * reach it: they are refused by authentication, which caps its own lookups.
 */
export const projectRateLimitPlugin = fp<RateLimitOptions>(
  async (app, options) => {
    await app.register(rateLimit, {
      global: true,
      hook: 'preParsing',
      max: options.max,
      timeWindow: options.windowMs,
      cache: 100_000,
      keyGenerator: (request) => request.projectId,
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
  { name: 'project-rate-limit', dependencies: ['project-auth'] },
);
