import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The active span travels with the async context, not a global: each branch of a `Promise.all`, each
 * callback and timer keeps the span that was active where it was created, so parallel work nests right.
 */
export class SpanContext<S> {
  readonly #storage = new AsyncLocalStorage<S>();

  current(): S | undefined {
    return this.#storage.getStore();
  }

  run<T>(span: S, fn: () => T): T {
    return this.#storage.run(span, fn);
  }
}
