import { listOf, MetricParams, MetricView, PageQuery, SpanParams } from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadService } from '../../domain/read-service.js';

const tags = ['Metrics'];

/** Opper's metric reads: a span's metrics (paged) and one metric. */
export const spanMetricReadRoutes: FastifyPluginAsyncZod<{ reads: ReadService }> = async (app, { reads }) => {
  app.get(
    '/v2/spans/:span_id/metrics',
    {
      schema: {
        tags,
        summary: "A span's metrics",
        params: SpanParams,
        querystring: PageQuery,
        response: { 200: listOf(MetricView) },
      },
    },
    async (request) => reads.listSpanMetrics(request.projectId, request.params.span_id, request.query),
  );

  app.get(
    '/v2/spans/:span_id/metrics/:metric_id',
    { schema: { tags, summary: 'Get a metric', params: MetricParams, response: { 200: MetricView } } },
    async (request) => {
      const { span_id, metric_id } = request.params;
      return reads.getSpanMetric(request.projectId, span_id, metric_id);
    },
  );
};
