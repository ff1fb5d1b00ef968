import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { openApiDocument } from './document.js';

/**
 * `GET /openapi.json` and a browsable reference at `/docs` (Swagger UI, served from the package, no
 * CDN), from the generated document. Outside `/v2`, so no key is needed to read them.
 */
const docs: FastifyPluginAsync = async (app) => {
  const document = openApiDocument();
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => document);
};

export const docsPlugin = fp(docs, { name: 'api-docs' });
