import {
  listOf,
  TraceDetail,
  TraceDetailQuery,
  TraceListQuery,
  TraceParams,
  TraceSummary,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadService } from '../../domain/read-service.js';

const tags = ['Traces'];

/** Opper's trace reads; `?tree=true` adds the nested span tree (our extension). */
export const traceReadRoutes: FastifyPluginAsyncZod<{ reads: ReadService }> = async (app, { reads }) => {
  app.get(
    '/v2/traces',
    {
      schema: {
        tags,
        summary: 'List traces, newest first (optionally by root span name)',
        querystring: TraceListQuery,
        response: { 200: listOf(TraceSummary) },
      },
    },
    async (request) => reads.listTraces(request.projectId, request.query),
  );

  app.get(
    '/v2/traces/:trace_id',
    {
      schema: {
        tags,
        summary:
          'A trace with its spans and metrics; `tree=true` nests them; `truncated` past the byte budget',
        params: TraceParams,
        querystring: TraceDetailQuery,
        response: { 200: TraceDetail },
      },
    },
    async (request) =>
      reads.getTrace(request.projectId, request.params.trace_id, { tree: request.query.tree }),
  );
};
