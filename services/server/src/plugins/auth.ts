import { AppError, ErrorCodes } from '@tracehouse/shared';
import fp from 'fastify-plugin';
import type { ApiKeyResolver } from '../auth/api-key-resolver.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's project, set by the auth hook of the `/v2` scope before any handler runs. */
    projectId: string;
  }
}

export interface AuthOptions {
  keys: Pick<ApiKeyResolver, 'projectOf'>;
  /** Single-project local mode: requests with no Authorization header belong to this project. */
  localProjectId?: string;
  /**
   * A header that may carry the bare key instead of `Authorization: Bearer` (the OTLP scope takes
   * `x-tracehouse-key`: some exporters only let users add custom headers).
   */
  keyHeader?: string;
}

const unauthorized = (message: string) => new AppError(ErrorCodes.UNAUTHORIZED, message);

async function projectOfRequest(authorization: string | undefined, options: AuthOptions): Promise<string> {
  if (authorization === undefined || authorization === '') {
    if (options.localProjectId) return options.localProjectId;
    throw unauthorized('Missing API key: send Authorization: Bearer <key>');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthorized('Authorization must be "Bearer <key>"');
  const projectId = await options.keys.projectOf(match[1]!);
  if (!projectId) throw unauthorized('Invalid API key');
  return projectId;
}

/**
 * Requires a project on every route of the scope it is registered in (the app registers it in the
 * `/v2` scope, around every write and read route). Fastify runs a scope's hooks for the routes the
 * router matched in it, so how the URL was spelled (`%76`, `//`, `..`, absolute-form) cannot skip it:
 * a spelling either matches a `/v2` route and is authenticated, or matches none and is 404.
 */
export const projectAuthPlugin = fp<AuthOptions>(
  async (app, options) => {
    app.decorateRequest('projectId', '');
    app.addHook('onRequest', async (request) => {
      const bare = options.keyHeader ? request.headers[options.keyHeader] : undefined;
      const authorization =
        request.headers.authorization === undefined && typeof bare === 'string' && bare !== ''
          ? `Bearer ${bare}`
          : request.headers.authorization;
      const projectId = await projectOfRequest(authorization, options);
      if (projectId === '') throw unauthorized('No project for this request');
      request.projectId = projectId;
    });
  },
  { name: 'project-auth', dependencies: ['error-handler'] },
);
