import { randomUUID } from 'node:crypto';
import {
  AppError,
  type CreateSpanRequest,
  datasetIdFor,
  ErrorCodes,
  type FeedbackRequest,
  type FeedbackResponse,
  type IndexEntry,
  type MetricEvent,
  type MetricResponse,
  type SaveExamplesResponse,
  type SpanDeleteEvent,
  type SpanEvent,
  type SpanIndexEntry,
  type SpanResponse,
  type UpdateSpanRequest,
} from '@tracehouse/shared';
import type { KnownSpan } from '@tracehouse/shared/node';
import { DatasetWrites, type DatasetWritesDeps, entryUpsert } from './dataset-writes.js';
import { MetricWrites } from './metric-writes.js';
import type { OutRecord } from './produce-batcher.js';
import { spanPatchEvent, spanUpsertEvent, spanWriteResponse, type WriteContext } from './span-writes.js';
import type { VersionClock } from './version-clock.js';
import {
  type BatchScope,
  groupByTrace,
  indexRecord,
  type Plan,
  type PlannedRecord,
  planned,
  type TraceEventOut,
  traceEventRecord,
} from './write-plans.js';

/** Everything writes need; dataset entry writes take the same (see DatasetWritesDeps). */
export interface WriteServiceDeps extends Omit<DatasetWritesDeps, 'context'> {
  clock: VersionClock;
  /** This process's id, sent with its index records so its own index skips them (it already has them). */
  origin?: string;
  /** Resolves once Kafka acknowledged every record (one batch, all or nothing). */
  produce: (records: OutRecord[]) => Promise<void>;
  /** A buffer for a trace record's value (ingest reuses them once Kafka has them: `ProduceBatcherOptions.sent`). */
  allocateRecord?: (size: number) => Buffer;
  index: {
    lookup(projectId: string, spanId: string): Promise<KnownSpan | undefined>;
    remember(entry: IndexEntry): void;
  };
  /** A stored span's input/output (waiting briefly for the writer); undefined when not stored. */
  findSpanContent: (
    projectId: string,
    traceId: string,
    spanId: string,
  ) => Promise<{ input: string | null; output: string | null } | undefined>;
  /** The stored metric, for update responses; undefined when unknown. */
  findMetric: (projectId: string, spanId: string, metricId: string) => Promise<MetricResponse | undefined>;
  now?: () => Date;
}

/** Dataset entries hold strings: a JSON string as itself, any other JSON value as its JSON text. */
function asText(json: string | null): string | null {
  if (json === null) return null;
  const value: unknown = JSON.parse(json);
  return typeof value === 'string' ? value : json;
}

const spanNotFound = () => new AppError(ErrorCodes.NOT_FOUND, 'Span not found');

/**
 * Turns API writes into events and acknowledges them only once Kafka has them.
 * Events of one trace share a key (the trace id), so they stay in order on one partition.
 */
export class WriteService {
  /** Dataset entry writes (`POST /v2/datasets/{id}`, entry updates and deletes). */
  readonly datasets: DatasetWrites;
  /** Metric writes on spans. */
  readonly metrics: MetricWrites;

  constructor(private readonly deps: WriteServiceDeps) {
    this.datasets = new DatasetWrites({ ...deps, context: (projectId) => this.#context(projectId) });
    this.metrics = new MetricWrites({
      context: (projectId) => this.#context(projectId),
      known: (projectId, spanId, scope) => this.#known(projectId, spanId, scope),
      record: (event) => this.#record(event),
      spanEntry: (ctx, spanId, traceId, extra) => this.#spanEntry(ctx, spanId, traceId, extra),
      findMetric: deps.findMetric,
    });
  }

  #context(projectId: string): WriteContext {
    return {
      projectId,
      version: this.deps.clock.next(),
      receivedAt: this.#receivedAt(),
      ioMaxBytes: this.deps.ioMaxBytes,
    };
  }

  #receivedAtMs = Number.NaN;
  #receivedAtText = '';

  /** Now as event time text (`…sss000Z`), formatted once per millisecond: a write asks for it every time. */
  #receivedAt(): string {
    const ms = this.deps.now?.().getTime() ?? Date.now();
    if (ms !== this.#receivedAtMs) {
      this.#receivedAtMs = ms;
      this.#receivedAtText = `${new Date(ms).toISOString().slice(0, 23)}000Z`;
    }
    return this.#receivedAtText;
  }

  async #lookup(projectId: string, spanId: string, scope?: BatchScope): Promise<KnownSpan | undefined> {
    const planned = scope?.get(`${projectId}/${spanId}`);
    if (planned !== undefined) return planned ?? undefined;
    return this.deps.index.lookup(projectId, spanId);
  }

  async #known(projectId: string, spanId: string, scope?: BatchScope): Promise<KnownSpan> {
    const known = await this.#lookup(projectId, spanId, scope);
    if (!known) throw spanNotFound();
    return known;
  }

  #record(event: SpanEvent | MetricEvent): TraceEventOut {
    return traceEventRecord(this.deps.topics.spans, event);
  }

  #spanEntry(ctx: WriteContext, spanId: string, traceId: string, extra: Partial<SpanIndexEntry> = {}) {
    const entry: SpanIndexEntry = {
      v: 1,
      project_id: ctx.projectId,
      span_id: spanId,
      trace_id: traceId,
      version: ctx.version,
      ...extra,
    };
    return entry;
  }

  /**
   * Sends the plans' records and their index entries as one batch; once Kafka has them, the entries
   * are live here (other processes learn them from the index topic).
   */
  async commit(plans: Plan<unknown>[]): Promise<void> {
    const entries = plans.flatMap((p) => p.entries);
    const { topics, origin, allocateRecord } = this.deps;
    await this.deps.produce([
      ...groupByTrace(
        plans.flatMap((p) => p.records),
        allocateRecord,
      ),
      ...(entries.length > 0 ? [indexRecord(topics.spanIndex, entries, origin)] : []),
    ]);
    for (const entry of entries) this.deps.index.remember(entry);
  }

  /** Plan, send, answer: one write on its own. */
  async run<T>(plan: Promise<Plan<T>>): Promise<T> {
    const planned = await plan;
    await this.commit([planned]);
    return planned.result;
  }

  async planCreateSpan(
    projectId: string,
    req: CreateSpanRequest,
    scope?: BatchScope,
  ): Promise<Plan<SpanResponse>> {
    const ctx = this.#context(projectId);
    const id = req.id ?? randomUUID();
    const traceId =
      req.trace_id ?? (req.parent_id ? await this.#parentTrace(projectId, req.parent_id, scope) : id);
    const event = spanUpsertEvent(req, { id, traceId }, ctx);
    const entry = this.#spanEntry(ctx, id, traceId, { name: req.name, parent_id: req.parent_id ?? null });
    return planned([this.#record(event)], [entry], spanWriteResponse(event, req), scope);
  }

  /** The parent's trace; a parent found nowhere gives `parent_id` (a root's trace id is its own id). */
  async #parentTrace(projectId: string, parentId: string, scope?: BatchScope): Promise<string> {
    return (await this.#lookup(projectId, parentId, scope))?.traceId ?? parentId;
  }

  async planUpdateSpan(
    projectId: string,
    spanId: string,
    req: UpdateSpanRequest,
    scope?: BatchScope,
  ): Promise<Plan<SpanResponse>> {
    const known = await this.#known(projectId, spanId, scope);
    const ctx = this.#context(projectId);
    const event = spanPatchEvent(req, { id: spanId, traceId: known.traceId }, ctx);
    const entry = this.#spanEntry(
      ctx,
      spanId,
      known.traceId,
      req.name === undefined ? {} : { name: req.name },
    );
    return planned([this.#record(event)], [entry], spanWriteResponse(event, req, known), scope);
  }

  /**
   * Human feedback lands on the span itself (score 0..1 and comment); with `save_to_dataset` the span
   * is also saved as an example, like `save_examples`, in the same Kafka batch.
   */
  async planFeedback(
    projectId: string,
    spanId: string,
    req: FeedbackRequest,
    scope?: BatchScope,
  ): Promise<Plan<FeedbackResponse>> {
    const known = await this.#known(projectId, spanId, scope);
    const ctx = this.#context(projectId);
    const comment = req.comment ?? null;
    const event = spanPatchEvent({}, { id: spanId, traceId: known.traceId }, ctx);
    event.fields.feedback_score = req.score;
    event.fields.feedback_comment = comment;
    const records: PlannedRecord[] = [this.#record(event)];
    const entries: IndexEntry[] = [this.#spanEntry(ctx, spanId, known.traceId)];
    if (req.save_to_dataset) {
      const saved = await this.planSaveExample(projectId, spanId, { comment }, scope);
      records.push(...saved.records);
      entries.push(...saved.entries);
    }
    return planned(
      records,
      entries,
      { span_id: spanId, score: req.score, comment, example_saved: !!req.save_to_dataset },
      scope,
    );
  }

  /**
   * Saves a span's input and output as a dataset entry: into the dataset named `datasetName`, or one
   * named after the span. The span must be stored (read-your-writes waits briefly for the writer).
   */
  async planSaveExample(
    projectId: string,
    spanId: string,
    options: { datasetName?: string; comment?: string | null },
    scope?: BatchScope,
  ): Promise<Plan<SaveExamplesResponse>> {
    const known = await this.#known(projectId, spanId, scope);
    const content = await this.deps.findSpanContent(projectId, known.traceId, spanId);
    if (!content) {
      throw new AppError(ErrorCodes.NOT_YET_STORED, 'Span not stored yet; retry shortly', {
        retryable: true,
      });
    }
    const ctx = this.#context(projectId);
    const name = options.datasetName ?? known.name ?? spanId;
    const datasetId = await datasetIdFor(projectId, name);
    const fields = {
      input: asText(content.input),
      output: asText(content.output),
      expected: null,
      comment: options.comment ?? null,
    };
    const { record, entry, event } = entryUpsert(this.deps.topics, ctx, { datasetId, name, spanId, fields });
    return planned([record], [entry], {
      dataset_id: datasetId,
      dataset_entry_id: event.id,
      ...fields,
    });
  }

  async planDeleteSpan(projectId: string, spanId: string, scope?: BatchScope): Promise<Plan<undefined>> {
    const known = await this.#known(projectId, spanId, scope);
    return this.#deletePlan(this.#context(projectId), [spanId], known.traceId, scope);
  }

  /**
   * Deletes a whole trace (Opper v3) as one `span.delete` per span, the same events as span deletes,
   * sent in one batch on the trace's key. The caller read the span ids from the store, so no lookups.
   */
  planDeleteTrace(projectId: string, traceId: string, spanIds: string[]): Plan<undefined> {
    return this.#deletePlan(this.#context(projectId), spanIds, traceId);
  }

  #deletePlan(ctx: WriteContext, spanIds: string[], traceId: string, scope?: BatchScope): Plan<undefined> {
    const events = spanIds.map(
      (id): SpanDeleteEvent => ({
        v: 1,
        kind: 'span.delete',
        version: ctx.version,
        project_id: ctx.projectId,
        id,
        trace_id: traceId,
        received_at: ctx.receivedAt,
      }),
    );
    return planned(
      events.map((e) => this.#record(e)),
      spanIds.map((id) => this.#spanEntry(ctx, id, traceId, { deleted: true })),
      undefined,
      scope,
    );
  }
}
