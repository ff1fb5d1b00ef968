import { parseInput, TraceDetailQuery, TraceListQuery, TraceParams } from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { ReadService } from '../../domain/read-service.js';

/** Opper's trace reads; `?tree=true` adds the nested span tree (our extension). */
export const traceReadRoutes: FastifyPluginAsync<{ reads: ReadService }> = async (app, { reads }) => {
  app.get('/v2/traces', async (request) => {
    const query = parseInput(TraceListQuery, request.query, 'query');
    return reads.listTraces(request.projectId, query);
  });

  app.get('/v2/traces/:trace_id', async (request) => {
    const { trace_id } = parseInput(TraceParams, request.params, 'path');
    const { tree } = parseInput(TraceDetailQuery, request.query, 'query');
    return reads.getTrace(request.projectId, trace_id, { tree });
  });
};
