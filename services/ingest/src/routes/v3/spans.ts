import {
  SpanParams,
  V3CreateSpanRequest,
  V3SpanCreated,
  V3UpdateSpanRequest,
  v3DataOf,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WriteService } from '../../domain/write-service.js';
import { NoContent } from '../v2/schemas.js';

const tags = ['v3 Spans'];

/**
 * The write side of Opper's `/v3/spans`: the v2 writes (same events, same store), v3's envelope and
 * status codes (docs/OPPER-V3.md).
 */
export const v3SpanRoutes: FastifyPluginAsyncZod<{ writes: WriteService }> = async (app, { writes }) => {
  app.post(
    '/v3/spans',
    {
      schema: {
        tags,
        summary: 'Create a span',
        body: V3CreateSpanRequest,
        response: { 200: v3DataOf(V3SpanCreated) },
      },
    },
    async (request) => {
      const span = await writes.run(writes.planCreateSpan(request.projectId, request.body));
      return {
        data: {
          id: span.id,
          trace_id: span.trace_id,
          name: span.name,
          parent_id: span.parent_id,
          type: span.type,
        },
      };
    },
  );

  app.patch(
    '/v3/spans/:span_id',
    {
      schema: {
        tags,
        summary: 'Update a span; only keys present apply',
        params: SpanParams,
        body: V3UpdateSpanRequest,
        // Both SDKs discard the answer; 204 spares the read-back v2's PATCH does for its whole span.
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await writes.run(writes.planUpdateSpan(request.projectId, request.params.span_id, request.body));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v3/spans/:span_id',
    {
      schema: {
        tags,
        summary: 'Delete a span and its metrics',
        params: SpanParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await writes.run(writes.planDeleteSpan(request.projectId, request.params.span_id));
      return reply.code(204).send(null);
    },
  );
};
