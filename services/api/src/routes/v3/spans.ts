import { SpanParams, V3Span, v3DataOf, v3Span } from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadService } from '../../domain/read-service.js';

/** `GET /v3/spans/{id}`: the same read as v2 (read-your-writes), as a v3 span under `data`. */
export const v3SpanReadRoutes: FastifyPluginAsyncZod<{ reads: ReadService }> = async (app, { reads }) => {
  app.get(
    '/v3/spans/:span_id',
    {
      schema: {
        tags: ['v3 Spans'],
        summary: 'Get a span (read-your-writes)',
        params: SpanParams,
        response: { 200: v3DataOf(V3Span) },
      },
    },
    async (request) => ({ data: v3Span(await reads.getSpan(request.projectId, request.params.span_id)) }),
  );
};
