import { BatchExporter, type ExporterOptions, type IngestResult } from './export/exporter.js';
import { HttpClient } from './http.js';
import { type Logger, silentLogger } from './logger.js';
import { Alerts } from './resources/alerts.js';
import { Analytics } from './resources/analytics.js';
import { Datasets } from './resources/datasets.js';
import { Exports } from './resources/exports.js';
import { SpanMetrics } from './resources/span-metrics.js';
import { Spans } from './resources/spans.js';
import { Traces } from './resources/traces.js';
import type { SpanHandle } from './tracing/span-handle.js';
import { type RunOptions, Tracer } from './tracing/tracer.js';

/** Exporter options may be given at the top level or grouped under `exporter` (which wins). */
export interface TracehouseOptions extends ExporterOptions {
  /** Server root, e.g. `http://localhost:8080` (`/v2` is added). */
  baseUrl: string;
  apiKey?: string;
  /** Another fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Retries of a read (GET, search, export) failing with a network error, 429 or 5xx; default 2. */
  maxRetries?: number;
  /** Told about drops and retries of the background export; silent by default. */
  logger?: Logger;
  exporter?: ExporterOptions;
}

/**
 * The Tracehouse client: the API (`spans`, `spanMetrics`, `traces`, `datasets`, `analytics`, `alerts`,
 * `export`) and tracing (`span`, `startSpan`) that exports in the background. Call `shutdown()` before
 * the process exits so nothing buffered is lost.
 */
export class Tracehouse {
  readonly spans: Spans;
  readonly spanMetrics: SpanMetrics;
  readonly traces: Traces;
  readonly datasets: Datasets;
  readonly analytics: Analytics;
  readonly alerts: Alerts;
  readonly export: Exports;
  readonly #exporter: BatchExporter;
  readonly #tracer: Tracer;

  constructor(options: TracehouseOptions) {
    const http = new HttpClient(options);
    this.spans = new Spans(http);
    this.spanMetrics = new SpanMetrics(http);
    this.traces = new Traces(http);
    this.datasets = new Datasets(http);
    this.analytics = new Analytics(http);
    this.alerts = new Alerts(http);
    this.export = new Exports(http);
    const { baseUrl, apiKey, fetch, timeoutMs, maxRetries, logger, exporter, ...exporterOptions } = options;
    this.#exporter = new BatchExporter(
      // Items arrive as JSON already (encoded once, when queued): splice them into the envelope.
      (items) => http.request<IngestResult>('POST', '/ingest', { json: `{"items":[${items.join(',')}]}` }),
      { ...exporterOptions, ...exporter },
      logger ?? silentLogger,
    );
    this.#tracer = new Tracer((item) => this.#exporter.enqueue(item));
  }

  /** Runs `fn` in a span nested under the active one; see `Tracer.span`. */
  span<T>(name: string, fn: (span: SpanHandle) => T | Promise<T>, options?: RunOptions): Promise<T> {
    return this.#tracer.span(name, fn, options);
  }

  /** A span you end yourself; `tracehouse.run(span, fn)` makes it the parent of spans inside `fn`. */
  startSpan(name: string, options?: RunOptions): SpanHandle {
    return this.#tracer.startSpan(name, options);
  }

  /** Same as `span.run(fn)`. */
  run<T>(span: SpanHandle, fn: () => T): T {
    return this.#tracer.run(span, fn);
  }

  /** The span active here, if any. */
  currentSpan(): SpanHandle | undefined {
    return this.#tracer.current();
  }

  /** Items dropped by the exporter (buffer full, refused, or given up after retries). */
  get droppedCount(): number {
    return this.#exporter.droppedCount;
  }

  /** Spans and metrics waiting to be sent. */
  get queuedCount(): number {
    return this.#exporter.queued;
  }

  /** Resolves once every span ended so far is sent (or dropped). */
  flush(): Promise<void> {
    return this.#exporter.flush();
  }

  /** Flushes, then stops exporting. */
  shutdown(): Promise<void> {
    return this.#exporter.shutdown();
  }
}
