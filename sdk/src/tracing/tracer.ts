import { SpanContext } from './context.js';
import { type Emit, SpanHandle, type SpanOptions, type SpanSink } from './span-handle.js';

export interface RunOptions extends SpanOptions {
  /** Record `fn`'s return value as the span's output (default true). */
  recordOutput?: boolean;
  /** Parent explicitly; default: the span active where this is called; `null`: a new trace. */
  parent?: SpanHandle | null;
}

/**
 * Spans that nest by themselves: a span started inside another one's function — across awaits,
 * timers and `Promise.all` — becomes its child in the same trace (see `SpanContext`).
 */
export class Tracer {
  readonly #sink: SpanSink;

  constructor(emit: Emit) {
    this.#sink = { emit, context: new SpanContext<SpanHandle>() };
  }

  /** The span whose function is running here, if any. */
  current(): SpanHandle | undefined {
    return this.#sink.context.current();
  }

  /** Starts a span you end yourself (`span.end()`); `span.run(fn)` makes it the parent of spans inside. */
  startSpan(name: string, options: RunOptions = {}): SpanHandle {
    const parent = options.parent === null ? undefined : (options.parent ?? this.current());
    return new SpanHandle(name, parent, options, this.#sink);
  }

  /** Runs `fn` with `span` as the active parent. */
  run<T>(span: SpanHandle, fn: () => T): T {
    return span.run(fn);
  }

  /**
   * Runs `fn` inside a new span: timed, its return value recorded as output, a thrown error recorded
   * (and rethrown). The span is exported when `fn` settles.
   */
  async span<T>(
    name: string,
    fn: (span: SpanHandle) => T | Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    const span = this.startSpan(name, options);
    let result: T;
    try {
      result = await span.run(() => fn(span));
    } catch (error) {
      span.end({ error });
      throw error;
    }
    // Outside the try: whatever ending does, it must not be mistaken for an error of `fn`.
    span.end(options.recordOutput === false ? {} : { output: result });
    return result;
  }
}
