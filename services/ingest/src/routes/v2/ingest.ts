import {
  AppError,
  ErrorCodes,
  IngestBatchRequest,
  IngestItem,
  type IngestItemResult,
  parseInput,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { keepIngestTexts } from '../../domain/span-writes.js';
import type { BatchScope, Plan } from '../../domain/write-plans.js';
import type { WriteService } from '../../domain/write-service.js';
import { IngestResponse } from './schemas.js';

const errorTypes: Record<number, string> = { 404: 'NotFoundError', 422: 'UnprocessableEntityError' };

/**
 * `POST /v2/ingest`: a batch of mixed writes for SDKs that buffer. Items are planned in order (a child
 * finds a parent from earlier in the batch); a bad item gets its own 4xx result and the rest go on.
 * Every good item travels to Kafka in one send, so they are acknowledged together or not at all.
 */
export const ingestRoutes: FastifyPluginAsyncZod<{ writes: WriteService; maxItems: number }> = async (
  app,
  { writes, maxItems },
) => {
  const schema = {
    tags: ['Ingest'],
    summary: `A batch of span and metric writes (<= ${maxItems} items), results per item`,
    body: IngestBatchRequest,
    response: { 200: IngestResponse },
  };
  app.post('/v2/ingest', { schema, config: { keepTexts: keepIngestTexts } }, async (request) => {
    const { items } = request.body;
    if (items.length > maxItems) {
      throw new AppError(ErrorCodes.VALIDATION, `items: at most ${maxItems} per request`, {
        details: { field: 'items' },
      });
    }
    const scope: BatchScope = new Map();
    const plans: Plan<unknown>[] = [];
    const results: IngestItemResult[] = [];
    for (const [index, raw] of items.entries()) {
      try {
        const item = parseInput(IngestItem, raw, 'body');
        const plan = await planItem(writes, request.projectId, item, scope);
        // Only the records travel on: the item and its response (which quotes its input and output)
        // are let go, so a large batch's payloads are not kept alive until Kafka acknowledges it.
        items[index] = null;
        plans.push({ records: plan.records, entries: plan.entries, result: undefined });
        const result = plan.result as { id?: string; trace_id?: string } | undefined;
        results.push({ index, status: 200, id: result?.id ?? itemId(item), trace_id: result?.trace_id });
      } catch (err) {
        if (
          !(err instanceof AppError) ||
          (err.code !== ErrorCodes.VALIDATION && err.code !== ErrorCodes.NOT_FOUND)
        )
          throw err;
        const status = err.code === ErrorCodes.NOT_FOUND ? 404 : 422;
        results.push({ index, status, error: { type: errorTypes[status]!, message: err.message } });
      }
    }
    if (plans.length > 0) await writes.commit(plans);
    const accepted = results.filter((r) => r.status === 200).length;
    return { accepted, rejected: results.length - accepted, results };
  });
};

function itemId(item: IngestItem): string | undefined {
  if (item.type === 'metric.update' || item.type === 'metric.delete') return item.metric_id;
  return 'span_id' in item ? item.span_id : undefined;
}

function planItem(
  writes: WriteService,
  projectId: string,
  item: IngestItem,
  scope: BatchScope,
): Promise<Plan<unknown>> {
  switch (item.type) {
    case 'span.create':
      return writes.planCreateSpan(projectId, item.body, scope);
    case 'span.update':
      return writes.planUpdateSpan(projectId, item.span_id, item.body, scope);
    case 'span.delete':
      return writes.planDeleteSpan(projectId, item.span_id, scope);
    case 'metric.create':
      return writes.metrics.planCreateMetric(projectId, item.span_id, item.body, item.id, scope);
    case 'metric.update':
      return writes.metrics.planUpdateMetric(projectId, item.span_id, item.metric_id, item.body, scope);
    case 'metric.delete':
      return writes.metrics.planDeleteMetric(projectId, item.span_id, item.metric_id, scope);
  }
}
