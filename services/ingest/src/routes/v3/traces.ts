import { AppError, ErrorCodes, TraceParams } from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WriteService } from '../../domain/write-service.js';
import { NoContent } from '../v2/schemas.js';

export interface V3TraceRoutesOptions {
  writes: WriteService;
  /** The ids of the trace's stored spans, once they reflect every acknowledged write (from the read side). */
  traceSpanIds: (projectId: string, traceId: string) => Promise<string[]>;
}

/** Span deletes per Kafka record: one record per trace and batch, kept well under a broker's message limit. */
const deletesPerBatch = 1_000;

/**
 * `DELETE /v3/traces/{id}`. v2 has no trace delete; this is v2's span delete for every span of the
 * trace, through the same write path, so readers and the writer see nothing new.
 */
export const v3TraceRoutes: FastifyPluginAsyncZod<V3TraceRoutesOptions> = async (
  app,
  { writes, traceSpanIds },
) => {
  app.delete(
    '/v3/traces/:trace_id',
    {
      schema: {
        tags: ['v3 Traces'],
        summary: 'Delete a trace and all its spans',
        params: TraceParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const { projectId } = request;
      const { trace_id } = request.params;
      const ids = await traceSpanIds(projectId, trace_id);
      if (ids.length === 0) throw new AppError(ErrorCodes.NOT_FOUND, 'Trace not found');
      for (let i = 0; i < ids.length; i += deletesPerBatch) {
        await writes.commit([writes.planDeleteTrace(projectId, trace_id, ids.slice(i, i + deletesPerBatch))]);
      }
      return reply.code(204).send(null);
    },
  );
};
