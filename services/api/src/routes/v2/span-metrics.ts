import { MetricParams, PageQuery, parseInput, SpanParams } from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { ReadService } from '../../domain/read-service.js';

/** Opper's metric reads: a span's metrics (paged) and one metric. */
export const spanMetricReadRoutes: FastifyPluginAsync<{ reads: ReadService }> = async (app, { reads }) => {
  app.get('/v2/spans/:span_id/metrics', async (request) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    const page = parseInput(PageQuery, request.query, 'query');
    return reads.listSpanMetrics(request.projectId, span_id, page);
  });

  app.get('/v2/spans/:span_id/metrics/:metric_id', async (request) => {
    const { span_id, metric_id } = parseInput(MetricParams, request.params, 'path');
    return reads.getSpanMetric(request.projectId, span_id, metric_id);
  });
};
