import {
  CreateMetricRequest,
  MetricParams,
  parseInput,
  SpanParams,
  UpdateMetricRequest,
} from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { WriteService } from '../../domain/write-service.js';

/** The write side of Opper's `/v2/spans/{id}/metrics`. */
export const spanMetricRoutes: FastifyPluginAsync<{ writes: WriteService }> = async (app, { writes }) => {
  app.post('/v2/spans/:span_id/metrics', async (request) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    const body = parseInput(CreateMetricRequest, request.body, 'body');
    const { trace_id: _trace, ...metric } = await writes.run(
      writes.planCreateMetric(request.projectId, span_id, body),
    );
    return metric;
  });

  app.patch('/v2/spans/:span_id/metrics/:metric_id', async (request) => {
    const { span_id, metric_id } = parseInput(MetricParams, request.params, 'path');
    const body = parseInput(UpdateMetricRequest, request.body ?? {}, 'body');
    return writes.run(writes.planUpdateMetric(request.projectId, span_id, metric_id, body));
  });

  app.delete('/v2/spans/:span_id/metrics/:metric_id', async (request, reply) => {
    const { span_id, metric_id } = parseInput(MetricParams, request.params, 'path');
    await writes.run(writes.planDeleteMetric(request.projectId, span_id, metric_id));
    return reply.code(204).send();
  });
};
