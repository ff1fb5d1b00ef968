import { SpanParams, SpanView } from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadService } from '../../domain/read-service.js';

/** `GET /v2/spans/{id}`: the span as stored, once it reflects every acknowledged write. */
export const spanReadRoutes: FastifyPluginAsyncZod<{ reads: ReadService }> = async (app, { reads }) => {
  app.get(
    '/v2/spans/:span_id',
    {
      schema: {
        tags: ['Spans'],
        summary: 'Get a span (read-your-writes)',
        params: SpanParams,
        response: { 200: SpanView },
      },
    },
    async (request) => reads.getSpan(request.projectId, request.params.span_id),
  );
};
