import fp from 'fastify-plugin';
import { parseJsonBody } from '../http/json-body.js';

/** JSON bodies through our parser: strict UTF-8, bounded depth, an empty body is no body. */
export const jsonBodyPlugin = fp(
  async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as Buffer));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
  },
  { name: 'json-body' },
);
