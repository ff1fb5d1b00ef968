import {
  CreateSpanRequest,
  FeedbackRequest,
  parseInput,
  SaveExamplesRequest,
  SpanParams,
  UpdateSpanRequest,
} from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { WriteService } from '../../domain/write-service.js';

/** The write side of Opper's `/v2/spans`. */
export const spanRoutes: FastifyPluginAsync<{ writes: WriteService }> = async (app, { writes }) => {
  app.post('/v2/spans', async (request) => {
    const body = parseInput(CreateSpanRequest, request.body, 'body');
    return writes.run(writes.planCreateSpan(request.projectId, body));
  });

  app.patch('/v2/spans/:span_id', async (request) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    const body = parseInput(UpdateSpanRequest, request.body ?? {}, 'body');
    return writes.run(writes.planUpdateSpan(request.projectId, span_id, body));
  });

  app.post('/v2/spans/:span_id/feedback', async (request) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    const body = parseInput(FeedbackRequest, request.body, 'body');
    return writes.run(writes.planFeedback(request.projectId, span_id, body));
  });

  app.post('/v2/spans/:span_id/save_examples', async (request, reply) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    const { dataset_name } = parseInput(SaveExamplesRequest, request.body, 'body');
    const saved = await writes.run(
      writes.planSaveExample(request.projectId, span_id, { datasetName: dataset_name }),
    );
    return reply.code(201).send(saved);
  });

  app.delete('/v2/spans/:span_id', async (request, reply) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    await writes.run(writes.planDeleteSpan(request.projectId, span_id));
    return reply.code(204).send();
  });
};
