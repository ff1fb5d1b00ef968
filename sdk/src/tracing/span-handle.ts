import { randomUUID } from 'node:crypto';
import { type IngestItemInput, Limits } from '@tracehouse/shared';
import type { SpanContext } from './context.js';

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

/** What a span needs from its tracer: where to send items, and the context to run children in. */
export interface SpanSink {
  emit: Emit;
  context: SpanContext<SpanHandle>;
}

/** Never throws: it runs while the caller's own error is on its way out. */
function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * A span being recorded. Ids are made here, so children point at their parent and trace without asking
 * the server.
 *
 * The span is sent once, complete, as one `span.create` when it ends, rather than created at start and
 * patched at end: half the items and requests, and a crash mid-span leaves no half-written span
 * behind. Children end first and name a parent the server has not seen yet; it accepts that, since
 * they carry the trace id. Metrics added before the end follow the span (the server needs the span
 * first); metrics added later go at once.
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
    private readonly sink: SpanSink,
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
    // The server refuses a longer error, and with it the whole span.
    this.#error = errorText(error).slice(0, Limits.errorMaxChars);
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
    if (this.ended) this.sink.emit(item);
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
    this.sink.emit({
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
    for (const metric of this.#metrics.splice(0)) this.sink.emit(metric);
  }

  /** Runs `fn` with this span as the active parent: spans started inside become its children. */
  run<T>(fn: () => T): T {
    return this.sink.context.run(this, fn);
  }
}
