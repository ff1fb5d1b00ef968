import {
  TraceListQuery,
  TraceParams,
  V3TraceList,
  V3TraceResponse,
  v3Span,
  v3TraceResponse,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadService } from '../../domain/read-service.js';

const tags = ['v3 Traces'];

/** Opper's v3 trace reads over the same store and freshness rules as v2's. */
export const v3TraceReadRoutes: FastifyPluginAsyncZod<{ reads: ReadService }> = async (app, { reads }) => {
  app.get(
    '/v3/traces',
    {
      schema: {
        tags,
        summary:
          'List traces, newest first; `name` matches the root span name case-insensitively, as a substring',
        querystring: TraceListQuery,
        // v2's list is already v3's: `{data: [...], meta: {total_count}}`.
        response: { 200: V3TraceList },
      },
    },
    // v3 matches `name` as a case-insensitive substring (v2: the whole name).
    async (request) => reads.listTraces(request.projectId, { ...request.query, nameMatch: 'contains' }),
  );

  app.get(
    '/v3/traces/:trace_id',
    {
      schema: {
        tags,
        summary:
          'A trace with its spans, both at the top level (PyPI opperai 2.x) and under `data` (npm opperai 4.x)',
        params: TraceParams,
        response: { 200: V3TraceResponse },
      },
    },
    async (request) => {
      const { trace, spans } = await reads.getTraceWithSpans(request.projectId, request.params.trace_id, {
        tree: false,
      });
      return v3TraceResponse({ ...trace, spans: spans.map(v3Span) });
    },
  );
};
