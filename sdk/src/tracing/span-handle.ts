import { randomUUID } from 'node:crypto';
import type { IngestItemInput } from '@tracehouse/shared';

export interface SpanOptions {
  tags?: Record<string, string>;
  meta?: Record<string, unknown>;
  type?: string;
  input?: unknown;
  model?: string;
}

export interface EndOptions {
  output?: unknown;
  /** An Error or a message: recorded as the span's error, and its status becomes `error`. */
  error?: unknown;
}

/** What a finished span hands to the exporter, in order: the span first, then its metrics. */
export type Emit = (item: IngestItemInput) => void;

const errorText = (error: unknown) =>
  error instanceof Error
    ? `${error.name}: ${error.message}`
    : typeof error === 'string'
      ? error
      : JSON.stringify(error);

/**
 * A span being recorded. Ids are made here, so children point at their parent and trace without asking
 * the server. The span is sent once, complete, when it ends; metrics added before then follow it.
 */
export class SpanHandle {
  readonly id = randomUUID();
  readonly traceId: string;
  readonly startTime = new Date();
  #endTime: Date | undefined;
  #tags: Record<string, string>;
  #meta: Record<string, unknown>;
  #type: string | undefined;
  #model: string | undefined;
  #input: unknown;
  #output: unknown;
  #error: string | undefined;
  #metrics: IngestItemInput[] = [];

  constructor(
    readonly name: string,
    readonly parent: SpanHandle | undefined,
    options: SpanOptions,
    private readonly emit: Emit,
  ) {
    this.traceId = parent?.traceId ?? this.id;
    this.#tags = { ...options.tags };
    this.#meta = { ...options.meta };
    this.#type = options.type;
    this.#model = options.model;
    this.#input = options.input;
  }

  get parentId(): string | undefined {
    return this.parent?.id;
  }

  get ended(): boolean {
    return this.#endTime !== undefined;
  }

  setTags(tags: Record<string, string>): this {
    Object.assign(this.#tags, tags);
    return this;
  }

  setMeta(meta: Record<string, unknown>): this {
    Object.assign(this.#meta, meta);
    return this;
  }

  setInput(input: unknown): this {
    this.#input = input;
    return this;
  }

  setOutput(output: unknown): this {
    this.#output = output;
    return this;
  }

  setError(error: unknown): this {
    this.#error = errorText(error);
    return this;
  }

  /** A metric on this span (`quality_score`, 4.5); sent with the span, or at once if it has ended. */
  addMetric(dimension: string, value: number, comment?: string): this {
    const item: IngestItemInput = {
      type: 'metric.create',
      span_id: this.id,
      id: randomUUID(),
      body: { dimension, value, ...(comment === undefined ? {} : { comment }) },
    };
    if (this.ended) this.emit(item);
    else this.#metrics.push(item);
    return this;
  }

  /** Ends the span and queues it for export; a second call does nothing. */
  end(options: EndOptions = {}): void {
    if (this.ended) return;
    if (options.output !== undefined) this.#output = options.output;
    if (options.error !== undefined) this.setError(options.error);
    this.#endTime = new Date();
    const hasMeta = Object.keys(this.#meta).length > 0;
    const hasTags = Object.keys(this.#tags).length > 0;
    this.emit({
      type: 'span.create',
      body: {
        id: this.id,
        trace_id: this.traceId,
        ...(this.parent ? { parent_id: this.parent.id } : {}),
        name: this.name,
        start_time: this.startTime.toISOString(),
        end_time: this.#endTime.toISOString(),
        ...(this.#type === undefined ? {} : { type: this.#type }),
        ...(this.#model === undefined ? {} : { model: this.#model }),
        ...(this.#input === undefined ? {} : { input: this.#input }),
        ...(this.#output === undefined ? {} : { output: this.#output }),
        ...(this.#error === undefined ? {} : { error: this.#error, status: 'error' as const }),
        ...(hasMeta ? { meta: this.#meta } : {}),
        ...(hasTags ? { tags: this.#tags } : {}),
      },
    });
    for (const metric of this.#metrics.splice(0)) this.emit(metric);
  }
}
