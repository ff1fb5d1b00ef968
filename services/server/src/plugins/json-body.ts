import type { KeepTexts } from '@tracehouse/shared/node';
import fp from 'fastify-plugin';
import { parseJsonBody } from '../http/json-body.js';

/**
 * JSON bodies through our parser: strict UTF-8, bounded depth, an empty body is no body. A route whose
 * config has `keepTexts` takes its long inputs and outputs as bytes (`parseJsonBody`).
 */
export const jsonBodyPlugin = fp(
  async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        const keepTexts = (request.routeOptions.config as { keepTexts?: KeepTexts } | undefined)?.keepTexts;
        done(null, parseJsonBody(body as Buffer, keepTexts));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
  },
  { name: 'json-body' },
);
