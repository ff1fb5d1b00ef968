import { AppError, ErrorCodes } from '@tracehouse/shared';
import { hashApiKey } from '@tracehouse/shared/node';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's project, set by the auth hook on /v2 routes. */
    projectId: string;
  }
}

export interface AuthOptions {
  /** Project of a key hash; undefined for unknown or revoked keys. */
  findProjectId: (keyHash: string) => Promise<string | undefined>;
  /** Single-project local mode: requests with no Authorization header belong to this project. */
  localProjectId?: string;
  cacheTtlMs?: number;
  /** Unknown keys are remembered briefly so a flood of bad keys does not become a flood of queries. */
  negativeTtlMs?: number;
  maxCacheEntries?: number;
}

const unauthorized = (message: string) => new AppError(ErrorCodes.UNAUTHORIZED, message);

/**
 * API keys → project. Keys are looked up by SHA-256 hash (never stored or logged in clear) and cached
 * for a minute, so the hot path does not touch ClickHouse. Everything under /v2 requires a project.
 */
export const authPlugin = fp<AuthOptions>(
  async (app, options) => {
    const ttl = options.cacheTtlMs ?? 60_000;
    const negativeTtl = options.negativeTtlMs ?? 5_000;
    const maxEntries = options.maxCacheEntries ?? 10_000;
    const cache = new Map<string, { projectId: string | undefined; expires: number }>();

    async function projectOf(key: string): Promise<string | undefined> {
      const hash = hashApiKey(key);
      const hit = cache.get(hash);
      if (hit && hit.expires > Date.now()) return hit.projectId;
      const projectId = await options.findProjectId(hash);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(hash, { projectId, expires: Date.now() + (projectId ? ttl : negativeTtl) });
      return projectId;
    }

    app.decorateRequest('projectId', '');
    app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
      if (!request.url.startsWith('/v2/') && request.url !== '/v2') return;
      const header = request.headers.authorization;
      if (header === undefined || header === '') {
        if (options.localProjectId) {
          request.projectId = options.localProjectId;
          return;
        }
        throw unauthorized('Missing API key: send Authorization: Bearer <key>');
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthorized('Authorization must be "Bearer <key>"');
      const projectId = await projectOf(match[1]!);
      if (!projectId) throw unauthorized('Invalid API key');
      request.projectId = projectId;
    });
  },
  { name: 'auth', dependencies: ['error-handler'] },
);
