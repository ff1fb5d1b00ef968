import { AsyncLocalStorage } from 'node:async_hooks';
import { type Emit, SpanHandle, type SpanOptions } from './span-handle.js';

export interface RunOptions extends SpanOptions {
  /** Record `fn`'s return value as the span's output (default true). */
  recordOutput?: boolean;
  /** Parent explicitly; default: the span active where this is called; `null`: a new trace. */
  parent?: SpanHandle | null;
}

/**
 * Spans that nest by themselves: the active span travels with the async context (AsyncLocalStorage),
 * so a span started inside another one's function — across awaits, timers and `Promise.all` — becomes
 * its child in the same trace.
 */
export class Tracer {
  readonly #active = new AsyncLocalStorage<SpanHandle>();

  constructor(private readonly emit: Emit) {}

  /** The span whose function is running here, if any. */
  current(): SpanHandle | undefined {
    return this.#active.getStore();
  }

  /** Starts a span you end yourself (`span.end()`); `run` makes it the parent of spans inside. */
  startSpan(name: string, options: RunOptions = {}): SpanHandle {
    const parent = options.parent === null ? undefined : (options.parent ?? this.current());
    return new SpanHandle(name, parent, options, this.emit);
  }

  /** Runs `fn` with `span` as the active parent. */
  run<T>(span: SpanHandle, fn: () => T): T {
    return this.#active.run(span, fn);
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
    try {
      const result = await this.#active.run(span, () => fn(span));
      span.end(options.recordOutput === false ? {} : { output: result });
      return result;
    } catch (error) {
      span.end({ error });
      throw error;
    }
  }
}
