import { parseInput } from '@tracehouse/shared';
import type { FastifySchemaCompiler } from 'fastify';
import fp from 'fastify-plugin';
import type { z } from 'zod';

const where = { body: 'body', querystring: 'query', params: 'path', headers: 'query' } as const;

/**
 * Route schemas are zod (fastify-type-provider-zod types the handlers and documents the routes). The
 * validator keeps our error contract: one 422 AppError whose message names every bad field, with
 * FastAPI-style `detail.errors` (`loc: ['body', 'name']`), exactly as the Opper API answers. An absent
 * body validates as `{}`, so a bodiless POST is told which field is missing.
 */
export const zodValidator: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const part = where[(httpPart ?? 'body') as keyof typeof where] ?? 'body';
    try {
      return { value: parseInput(schema, part === 'body' ? (data ?? {}) : data, part) };
    } catch (err) {
      return { error: err as Error };
    }
  };

/**
 * Response schemas document the routes; the handlers build those shapes from typed rows, so replies are
 * serialized as they are rather than parsed a second time on every response.
 */
const serializeAsIs = () => (data: unknown) => JSON.stringify(data);

export const zodSchemasPlugin = fp(
  async (app) => {
    app.setValidatorCompiler(zodValidator);
    app.setSerializerCompiler(serializeAsIs);
  },
  { name: 'zod-schemas' },
);
