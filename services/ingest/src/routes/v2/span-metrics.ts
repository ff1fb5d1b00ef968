import {
  CreateMetricRequest,
  MetricParams,
  MetricView,
  SpanParams,
  UpdateMetricRequest,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WriteService } from '../../domain/write-service.js';
import { NoContent } from './schemas.js';

const tags = ['Metrics'];

/** The write side of Opper's `/v2/spans/{id}/metrics`. */
export const spanMetricRoutes: FastifyPluginAsyncZod<{ writes: WriteService }> = async (app, { writes }) => {
  app.post(
    '/v2/spans/:span_id/metrics',
    {
      schema: {
        tags,
        summary: 'Attach a metric to a span',
        params: SpanParams,
        body: CreateMetricRequest,
        response: { 200: MetricView },
      },
    },
    async (request) => {
      const { trace_id: _trace, ...metric } = await writes.run(
        writes.metrics.planCreateMetric(request.projectId, request.params.span_id, request.body),
      );
      return metric;
    },
  );

  app.patch(
    '/v2/spans/:span_id/metrics/:metric_id',
    {
      schema: {
        tags,
        summary: 'Update a metric',
        params: MetricParams,
        body: UpdateMetricRequest,
        response: { 200: MetricView },
      },
    },
    async (request) => {
      const { span_id, metric_id } = request.params;
      return writes.run(writes.metrics.planUpdateMetric(request.projectId, span_id, metric_id, request.body));
    },
  );

  app.delete(
    '/v2/spans/:span_id/metrics/:metric_id',
    { schema: { tags, summary: 'Delete a metric', params: MetricParams, response: { 204: NoContent } } },
    async (request, reply) => {
      const { span_id, metric_id } = request.params;
      await writes.run(writes.metrics.planDeleteMetric(request.projectId, span_id, metric_id));
      return reply.code(204).send(null);
    },
  );
};
