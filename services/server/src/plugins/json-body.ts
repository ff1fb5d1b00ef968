import type { KeepTexts } from '@tracehouse/shared/node';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BodyReader } from '../http/body-reader.js';
import { parseJsonBody } from '../http/json-body.js';

/**
 * JSON bodies through our parser: strict UTF-8, bounded depth, an empty body is no body. A route whose
 * config has `keepTexts` takes its long inputs and outputs as bytes (`parseJsonBody`). Bodies are read
 * into reused buffers (`BodyReader`); one whose bytes the route holds is given back after the response.
 */
export const jsonBodyPlugin = fp(
  async (app) => {
    const reader = new BodyReader();
    const held = new WeakMap<FastifyRequest, Buffer>();
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', (request, payload, done) => {
      const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
      reader.read(payload, { limit, contentLength: request.headers['content-length'] }).then(
        (body) => {
          const keepTexts = (request.routeOptions.config as { keepTexts?: KeepTexts } | undefined)?.keepTexts;
          let parsed: unknown;
          try {
            parsed = parseJsonBody(body, keepTexts);
          } catch (err) {
            reader.giveBack(body);
            done(err as Error, undefined);
            return;
          }
          // Texts kept as bytes are views of the body until the route has sent them on.
          if (keepTexts) held.set(request, body);
          else reader.giveBack(body);
          done(null, parsed);
        },
        (err: Error) => done(err, undefined),
      );
    });
    app.addHook('onResponse', async (request) => {
      const body = held.get(request);
      if (!body) return;
      held.delete(request);
      reader.giveBack(body);
    });
  },
  { name: 'json-body' },
);
