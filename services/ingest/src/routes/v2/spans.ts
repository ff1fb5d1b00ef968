import {
  CreateSpanRequest,
  FeedbackRequest,
  SaveExamplesRequest,
  SpanParams,
  type SpanView,
  UpdateSpanRequest,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { keepSpanTexts } from '../../domain/span-writes.js';
import type { WriteService } from '../../domain/write-service.js';
import { FeedbackResponse, NoContent, SaveExamplesResponse, SpanWriteResponse } from './schemas.js';

export interface SpanRoutesOptions {
  writes: WriteService;
  /** The merged span once stored after a write; undefined when not stored within the wait. */
  spanAfterWrite: (projectId: string, spanId: string) => Promise<SpanView | undefined>;
}

const tags = ['Spans'];

/** The write side of Opper's `/v2/spans`. */
export const spanRoutes: FastifyPluginAsyncZod<SpanRoutesOptions> = async (
  app,
  { writes, spanAfterWrite },
) => {
  app.post(
    '/v2/spans',
    {
      config: { keepTexts: keepSpanTexts },
      schema: {
        tags,
        summary: 'Create a span',
        body: CreateSpanRequest,
        response: { 200: SpanWriteResponse },
      },
    },
    async (request) => writes.run(writes.planCreateSpan(request.projectId, request.body)),
  );

  app.patch(
    '/v2/spans/:span_id',
    {
      config: { keepTexts: keepSpanTexts },
      schema: {
        tags,
        summary: 'Update a span; only keys present apply',
        params: SpanParams,
        body: UpdateSpanRequest,
        response: { 200: SpanWriteResponse },
      },
    },
    async (request) => {
      const { span_id } = request.params;
      const written = await writes.run(writes.planUpdateSpan(request.projectId, span_id, request.body));
      // Opper answers with the whole span: the merged one once stored, else what this write set.
      return (await spanAfterWrite(request.projectId, span_id)) ?? written;
    },
  );

  app.post(
    '/v2/spans/:span_id/feedback',
    {
      schema: {
        tags,
        summary: 'Human feedback on a span',
        params: SpanParams,
        body: FeedbackRequest,
        response: { 200: FeedbackResponse },
      },
    },
    async (request) =>
      writes.run(writes.planFeedback(request.projectId, request.params.span_id, request.body)),
  );

  app.post(
    '/v2/spans/:span_id/save_examples',
    {
      schema: {
        tags,
        summary: 'Save the span to a dataset (named after the span, or `dataset_name`)',
        params: SpanParams,
        body: SaveExamplesRequest,
        response: { 201: SaveExamplesResponse },
      },
    },
    async (request, reply) => {
      const saved = await writes.run(
        writes.planSaveExample(request.projectId, request.params.span_id, {
          datasetName: request.body.dataset_name,
        }),
      );
      return reply.code(201).send(saved);
    },
  );

  app.delete(
    '/v2/spans/:span_id',
    {
      schema: {
        tags,
        summary: 'Delete a span and its metrics',
        params: SpanParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await writes.run(writes.planDeleteSpan(request.projectId, request.params.span_id));
      return reply.code(204).send(null);
    },
  );
};
