import type { ReadService } from '@tracehouse/api';
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
export const spanRoutes: FastifyPluginAsync<{ writes: WriteService; reads?: ReadService }> = async (
  app,
  { writes, reads },
) => {
  app.post('/v2/spans', async (request) => {
    const body = parseInput(CreateSpanRequest, request.body, 'body');
    return writes.run(writes.planCreateSpan(request.projectId, body));
  });

  app.patch('/v2/spans/:span_id', async (request) => {
    const { span_id } = parseInput(SpanParams, request.params, 'path');
    const body = parseInput(UpdateSpanRequest, request.body ?? {}, 'body');
    const written = await writes.run(writes.planUpdateSpan(request.projectId, span_id, body));
    // Opper answers with the whole span: the merged one once stored, else what this write set.
    return (await reads?.spanAfterWrite(request.projectId, span_id)) ?? written;
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
