import { randomUUID } from 'node:crypto';
import {
  AppError,
  type CreateMetricRequest,
  ErrorCodes,
  type MetricEvent,
  type MetricPatchEvent,
  type MetricResponse,
  type SpanEvent,
  type SpanIndexEntry,
  type UpdateMetricRequest,
} from '@tracehouse/shared';
import type { KnownSpan } from '@tracehouse/shared/node';
import type { WriteContext } from './span-writes.js';
import { type BatchScope, type Plan, planned, type TraceEventOut } from './write-plans.js';

/** What metric writes share with span writes (WriteService provides them). */
export interface MetricWritesDeps {
  context(projectId: string): WriteContext;
  /** The span, from the request's scope or the index; throws 404 when unknown. */
  known(projectId: string, spanId: string, scope?: BatchScope): Promise<KnownSpan>;
  record(event: SpanEvent | MetricEvent): TraceEventOut;
  spanEntry(
    ctx: WriteContext,
    spanId: string,
    traceId: string,
    extra?: Partial<SpanIndexEntry>,
  ): SpanIndexEntry;
  /** The stored metric, for update responses; undefined when unknown. */
  findMetric: (projectId: string, spanId: string, metricId: string) => Promise<MetricResponse | undefined>;
}

type MetricEventBase = Omit<MetricPatchEvent, 'kind' | 'fields'>;
type MetricEventKind =
  | Pick<Extract<MetricEvent, { kind: 'metric.upsert' }>, 'kind' | 'created_at' | 'fields'>
  | Pick<MetricPatchEvent, 'kind' | 'fields'>
  | Pick<Extract<MetricEvent, { kind: 'metric.delete' }>, 'kind'>;

/**
 * The event as one literal. Spreading the base and adding the kind's keys made V8 add each key to the
 * copy at about a microsecond apiece; an absent key is undefined here, which JSON leaves out.
 */
function metricEvent(base: MetricEventBase, part: MetricEventKind): MetricEvent {
  return {
    v: base.v,
    kind: part.kind,
    version: base.version,
    project_id: base.project_id,
    id: base.id,
    span_id: base.span_id,
    trace_id: base.trace_id,
    received_at: base.received_at,
    created_at: 'created_at' in part ? part.created_at : undefined,
    fields: 'fields' in part ? part.fields : undefined,
  } as MetricEvent;
}

/** Metric creates, updates and deletes (`/v2/spans/{id}/metrics`, and in `/v2/ingest` batches). */
export class MetricWrites {
  constructor(private readonly deps: MetricWritesDeps) {}

  /** A metric write: its event shares the span's trace as Kafka key, so it stays in order with the span. */
  async #metricPlan<T>(
    projectId: string,
    spanId: string,
    metricId: string,
    scope: BatchScope | undefined,
    make: (base: MetricEventBase, ctx: WriteContext) => Promise<{ event: MetricEvent; result: T }>,
  ): Promise<Plan<T>> {
    const known = await this.deps.known(projectId, spanId, scope);
    const ctx = this.deps.context(projectId);
    const base: MetricEventBase = {
      v: 1,
      version: ctx.version,
      project_id: projectId,
      id: metricId,
      span_id: spanId,
      trace_id: known.traceId,
      received_at: ctx.receivedAt,
    };
    const { event, result } = await make(base, ctx);
    return planned(
      [this.deps.record(event)],
      [this.deps.spanEntry(ctx, spanId, known.traceId, { target: 'metrics' })],
      result,
    );
  }

  planCreateMetric(
    projectId: string,
    spanId: string,
    req: CreateMetricRequest,
    metricId: string = randomUUID(),
    scope?: BatchScope,
  ): Promise<Plan<MetricResponse & { trace_id: string }>> {
    return this.#metricPlan(projectId, spanId, metricId, scope, async (base, ctx) => {
      const fields = { dimension: req.dimension, value: req.value, comment: req.comment ?? null };
      return {
        event: metricEvent(base, { kind: 'metric.upsert', created_at: ctx.receivedAt, fields }),
        result: {
          id: metricId,
          span_id: spanId,
          trace_id: base.trace_id,
          dimension: fields.dimension,
          value: fields.value,
          comment: fields.comment,
          created_at: ctx.receivedAt,
        },
      };
    });
  }

  planUpdateMetric(
    projectId: string,
    spanId: string,
    metricId: string,
    req: UpdateMetricRequest,
    scope?: BatchScope,
  ): Promise<Plan<MetricResponse>> {
    return this.#metricPlan(projectId, spanId, metricId, scope, async (base) => {
      const current = await this.deps.findMetric(projectId, spanId, metricId);
      if (!current) throw new AppError(ErrorCodes.NOT_FOUND, 'Metric not found');
      const fields: MetricPatchEvent['fields'] = {};
      if (req.dimension !== undefined) fields.dimension = req.dimension;
      if (req.value !== undefined) fields.value = req.value;
      if (req.comment !== undefined) fields.comment = req.comment;
      return {
        event: metricEvent(base, { kind: 'metric.patch', fields }),
        result: { ...current, ...fields },
      };
    });
  }

  planDeleteMetric(
    projectId: string,
    spanId: string,
    metricId: string,
    scope?: BatchScope,
  ): Promise<Plan<undefined>> {
    return this.#metricPlan(projectId, spanId, metricId, scope, async (base) => ({
      event: metricEvent(base, { kind: 'metric.delete' }),
      result: undefined,
    }));
  }
}
