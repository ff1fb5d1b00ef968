import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Paths the API and operations own; the dashboard never answers for them, even as a fallback. */
export const reservedPrefixes = ['/v2', '/v3', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics'];

const isReserved = (path: string) =>
  reservedPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** The built assets: beside this file in the source tree, or one level up from `dist/server/`. */
export function dashboardAssetsDir(): string | undefined {
  const candidates = ['./dist/public', '../public'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(`${dir}/index.html`));
}

export interface DashboardOptions {
  /** Where the built `index.html` and `assets/` are; default: this workspace's `dist/public`. */
  root?: string;
}

/**
 * Serves the dashboard at `/` on the API's own origin. Hashed files under `/assets/` are cached for a
 * year (their names change with their content); `index.html` is revalidated on every visit so a new
 * deploy is picked up. Browser navigations to any other non-API path get `index.html` (client routing);
 * other unknown requests keep the API's JSON 404.
 */
const plugin: FastifyPluginAsync<DashboardOptions> = async (app, options) => {
  const root = options.root ?? dashboardAssetsDir();
  if (!root) {
    // Not built (a bare checkout): say how to build rather than a blank 404.
    app.get('/', async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built yet: run `npm run build -w dashboard`, then reload.'),
    );
    return;
  }
  // Read per request (a small file): a rebuild is served without restarting the server.
  const sendIndex = (reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(readFileSync(`${root}/index.html`));

  await app.register(fastifyStatic, {
    root: `${root}/assets`,
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    cacheControl: false,
    setHeaders: (reply) => reply.header('cache-control', 'public, max-age=31536000, immutable'),
  });
  app.get('/', async (_request, reply) => sendIndex(reply));

  // Client-side routes (`/traces?…`, `/trace/<id>`) reloaded or shared: only for browser navigations.
  const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (isReserved(path) || path.startsWith('/assets/') || !wantsHtml(request)) return reply.callNotFound();
    return sendIndex(reply);
  });
};

export const dashboardPlugin = fp(plugin, { name: 'dashboard' });
