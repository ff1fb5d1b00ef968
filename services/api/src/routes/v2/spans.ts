import { parseInput, SpanParams } from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { ReadService } from '../../domain/read-service.js';

/** `GET /v2/spans/{id}`: the span as stored, once it reflects every acknowledged write. */
export const spanReadRoutes: FastifyPluginAsync<{ reads: ReadService }> = async (app, { reads }) => {
  app.get('/v2/spans/:span_id', async (request) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    return reads.getSpan(request.projectId, span_id);
  });
};
