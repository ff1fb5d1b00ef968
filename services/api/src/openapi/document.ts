import { z } from 'zod';
import { type Operation, operations } from './catalogue.js';

type Json = Record<string, unknown>;

const ErrorBody = z.object({
  type: z.string(),
  message: z.string(),
  detail: z.unknown(),
  code: z.string(),
});

/** zod → JSON Schema; requests in their input form (what a client sends), responses as sent. */
const schema = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:([a-z_]+)/g, '{$1}');

function parameters(op: Operation): Json[] {
  const out: Json[] = [];
  for (const [where, obj] of [
    ['path', op.params],
    ['query', op.query],
  ] as const) {
    if (!obj) continue;
    const json = schema(obj, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || !!json.required?.includes(name), schema: s });
    }
  }
  return out;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(op: Operation): Json {
  const success: Json = op.stream
    ? { description: 'Streamed lines', content: { [op.stream]: { schema: { type: 'string' } } } }
    : op.response
      ? { description: 'OK', content: { 'application/json': { schema: schema(op.response, 'output') } } }
      : { description: 'No content' };
  return {
    tags: [op.tag],
    summary: op.summary,
    operationId: `${op.method}_${op.path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '')}`,
    parameters: parameters(op),
    ...(op.body
      ? { requestBody: { content: { 'application/json': { schema: schema(op.body, 'input') } } } }
      : {}),
    responses: {
      [op.status]: success,
      401: errorResponse('Missing or invalid API key'),
      404: errorResponse('Not found in your project'),
      422: errorResponse('Invalid input; the message names the field'),
      503: errorResponse('Temporarily unavailable (Retry-After)'),
    },
  };
}

/** The OpenAPI 3.1 document of the whole `/v2` API, generated from the zod schemas the routes use. */
export function openApiDocument(version = '0.1.0'): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const path = openApiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operation(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tracehouse API',
      version,
      description:
        "Tracing for AI applications. The Opper v2 tracing API (the official `opperai` SDKs work with `serverURL: 'http://HOST:PORT/v2'`) plus search, analytics, datasets and export.",
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: schema(ErrorBody, 'output') },
    },
    paths,
  };
}
