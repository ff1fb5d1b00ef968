import type { ClickHouseClient } from '@clickhouse/client';
import {
  AppError,
  type DatasetEntryView,
  type DatasetView,
  ErrorCodes,
  type MetricView,
  type SpanView,
  type TraceDetail,
  type TraceSummary,
} from '@tracehouse/shared';
import type { WriteFences } from '@tracehouse/shared/node';
import {
  findSpanMetric,
  insertDatasets,
  listDatasetEntries,
  listDatasets,
  listSpanMetrics,
  listTraces,
  newestEntryVersion,
  newestMetricVersion,
  newestSpanVersion,
  queryDatasetEntries,
  readDatasetEntry,
  readSpan,
  readTraceMetrics,
  readTraceSpans,
  type SpanRow,
  type StoredEntry,
  type StoredMetric,
  type TraceNameMatch,
  traceSummaryVersions,
} from '@tracehouse/shared/node';
import { readFresh } from './fresh-read.js';
import { spansWithinBytes, spanView, traceDetail, traceSummaryView } from './views.js';

export interface ReadServiceOptions {
  clickhouse: ClickHouseClient;
  fences: WriteFences;
  /** Longest wait for the writer to store something acknowledged (then 503, retryable). */
  waitMs: number;
  /** Derives a dataset's id from its name (the same function ingest uses). */
  datasetIdFor: (projectId: string, name: string) => Promise<string>;
  /** A trace read stops adding spans once their JSON passes this many bytes (then `truncated`). */
  maxTraceBytes: number;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface ListOf<T> {
  meta: { total_count: number };
  data: T[];
}

const notFound = (what: string) => new AppError(ErrorCodes.NOT_FOUND, `${what} not found`);

/**
 * The Opper reads and our dataset reads, scoped to the caller's project. Reads of something written
 * through this API wait until ClickHouse holds the newest acknowledged write (read-your-writes).
 */
export class ReadService {
  readonly #o: ReadServiceOptions;

  constructor(options: ReadServiceOptions) {
    this.#o = options;
  }

  #fresh<T>(read: () => Promise<T>, isFresh: (v: T) => boolean, what: string): Promise<T> {
    return readFresh(read, isFresh, { waitMs: this.#o.waitMs, what });
  }

  /** The stored span once it reflects every acknowledged write; undefined when it does not exist. */
  async spanRow(projectId: string, spanId: string): Promise<SpanRow | undefined> {
    const known = await this.#o.fences.span(projectId, spanId);
    if (known === null) return undefined;
    const ch = this.#o.clickhouse;
    return this.#fresh(
      () => readSpan(ch, projectId, spanId, known?.traceId),
      (row) => known?.version === undefined || (row !== undefined && Number(row.version) >= known.version),
      'Span',
    );
  }

  /**
   * The merged span right after a write to it, once stored; undefined when the writer does not store
   * it within the wait (the caller then answers with what the write itself set).
   */
  async spanAfterWrite(projectId: string, spanId: string): Promise<SpanView | undefined> {
    const known = await this.#o.fences.span(projectId, spanId);
    if (!known) return undefined;
    const isFresh = (row: SpanRow | undefined) =>
      row !== undefined && Number(row.version) >= (known.version ?? 0);
    const row = await readFresh(
      () => readSpan(this.#o.clickhouse, projectId, spanId, known.traceId),
      isFresh,
      {
        waitMs: this.#o.waitMs,
        stale: 'serve',
        what: 'Span',
      },
    );
    return isFresh(row) && row ? spanView(row) : undefined;
  }

  async getSpan(projectId: string, spanId: string): Promise<SpanView> {
    const row = await this.spanRow(projectId, spanId);
    if (!row) throw notFound('Span');
    return spanView(row);
  }

  /** The span's trace, waiting for the span's metrics to reflect every acknowledged metric write. */
  async #spanWithFreshMetrics(projectId: string, spanId: string): Promise<string> {
    const known = await this.#o.fences.span(projectId, spanId);
    if (known === null) throw notFound('Span');
    const traceId = known?.traceId ?? (await readSpan(this.#o.clickhouse, projectId, spanId))?.trace_id;
    if (traceId === undefined) throw notFound('Span');
    const needed = known?.metricsVersion;
    if (needed !== undefined) {
      await this.#fresh(
        () => newestMetricVersion(this.#o.clickhouse, projectId, traceId, spanId),
        (stored) => stored >= needed,
        'Metric',
      );
    }
    return traceId;
  }

  async listSpanMetrics(projectId: string, spanId: string, page: Page): Promise<ListOf<MetricView>> {
    const traceId = await this.#spanWithFreshMetrics(projectId, spanId);
    const { total, metrics } = await listSpanMetrics(this.#o.clickhouse, projectId, traceId, spanId, page);
    return { meta: { total_count: total }, data: metrics };
  }

  async findSpanMetric(projectId: string, spanId: string, metricId: string): Promise<MetricView | undefined> {
    await this.#spanWithFreshMetrics(projectId, spanId);
    return findSpanMetric(this.#o.clickhouse, projectId, spanId, metricId);
  }

  async getSpanMetric(projectId: string, spanId: string, metricId: string): Promise<MetricView> {
    const metric = await this.findSpanMetric(projectId, spanId, metricId);
    if (!metric) throw notFound('Metric');
    return metric;
  }

  /**
   * A trace's live spans and metrics once they reflect every acknowledged write to it. The read starts
   * beside the fence lookup, not after it, and most reads prove their own freshness: a returned row at
   * or past the fence's version means the newest acknowledged write is stored, as the stored-versions
   * check would find. Only a read that cannot show it (the newest write not yet stored, or a delete,
   * which leaves no live row) waits on that check and reads again: one round trip instead of three.
   */
  async #traceRows(projectId: string, traceId: string): Promise<[SpanRow[], StoredMetric[]]> {
    const ch = this.#o.clickhouse;
    const read = () =>
      Promise.all([readTraceSpans(ch, projectId, traceId), readTraceMetrics(ch, projectId, traceId)]);
    const [fence, [spans, metrics]] = await Promise.all([this.#o.fences.trace(projectId, traceId), read()]);
    const newestSpan = spans.reduce((newest, s) => Math.max(newest, Number(s.version)), 0);
    if (!fence || (newestSpan >= fence.spans && metrics.newestVersion >= fence.metrics)) {
      return [spans, metrics.metrics];
    }
    await this.#fresh(
      () =>
        Promise.all([
          newestSpanVersion(ch, projectId, traceId),
          fence.metrics > 0 ? newestMetricVersion(ch, projectId, traceId) : 0,
        ]),
      ([storedSpans, storedMetrics]) => storedSpans >= fence.spans && storedMetrics >= fence.metrics,
      'Trace',
    );
    const [spansNow, metricsNow] = await read();
    return [spansNow, metricsNow.metrics];
  }

  /** The trace as v2 answers it, and (v3) its spans as span views; both within the byte budget. */
  async getTraceWithSpans(
    projectId: string,
    traceId: string,
    options: { tree: boolean },
  ): Promise<{ trace: TraceDetail; spans: SpanView[] }> {
    const { trace, kept } = await this.#traceWithin(projectId, traceId, options);
    return { trace, spans: kept.map(spanView) };
  }

  /** The trace as v2 answers it (without span views, which parse every input and output again). */
  async getTrace(projectId: string, traceId: string, options: { tree: boolean }): Promise<TraceDetail> {
    return (await this.#traceWithin(projectId, traceId, options)).trace;
  }

  async #traceWithin(
    projectId: string,
    traceId: string,
    options: { tree: boolean },
  ): Promise<{ trace: TraceDetail; kept: SpanRow[] }> {
    const [spans, metrics] = await this.#traceRows(projectId, traceId);
    if (spans.length === 0) throw notFound('Trace');
    const kept = spansWithinBytes(spans, this.#o.maxTraceBytes);
    const detail = traceDetail(traceId, kept, metrics, options.tree);
    return { trace: kept.length < spans.length ? { ...detail, truncated: true } : detail, kept };
  }

  /** The ids of a trace's live spans (for deleting the trace); empty when it has none. */
  async traceSpanIds(projectId: string, traceId: string): Promise<string[]> {
    const [spans] = await this.#traceRows(projectId, traceId);
    return spans.map((s) => s.span_id);
  }

  /**
   * Opper's trace list. Traces this project wrote a moment ago are waited for (their summaries must
   * reflect the newest acknowledged span), briefly: a list is never refused, at worst a moment old.
   */
  async listTraces(
    projectId: string,
    page: Page & { name?: string; nameMatch?: TraceNameMatch },
  ): Promise<ListOf<TraceSummary>> {
    const ch = this.#o.clickhouse;
    const recent = await this.#o.fences.recentTraces(projectId);
    if (recent.length > 0) {
      await readFresh(
        () =>
          traceSummaryVersions(
            ch,
            projectId,
            recent.map((r) => r.traceId),
          ),
        (stored) => recent.every((r) => (stored.get(r.traceId) ?? 0) >= r.version),
        { waitMs: this.#o.waitMs, stale: 'serve', what: 'Trace list' },
      );
    }
    const { total, rows } = await listTraces(ch, projectId, page);
    return { meta: { total_count: total }, data: rows.map(traceSummaryView) };
  }

  // Datasets ------------------------------------------------------------------------------------

  async #dataset(projectId: string, datasetId: string): Promise<{ name: string; version?: number }> {
    const known = await this.#o.fences.dataset(projectId, datasetId);
    if (known) return known;
    const { datasets } = await listDatasets(this.#o.clickhouse, projectId, {
      limit: 1,
      offset: 0,
      datasetId,
    });
    if (!datasets[0]) throw notFound('Dataset');
    return { name: datasets[0].name };
  }

  /** The dataset's name; undefined when the project has no such dataset. */
  async datasetName(projectId: string, datasetId: string): Promise<string | undefined> {
    return this.#dataset(projectId, datasetId).then(
      (d) => d.name,
      (err: unknown) => {
        if (AppError.is(err, ErrorCodes.NOT_FOUND)) return undefined;
        throw err;
      },
    );
  }

  /** Waits for the dataset's entries to reflect every acknowledged entry write. */
  async #freshDataset(projectId: string, datasetId: string): Promise<void> {
    const { version } = await this.#dataset(projectId, datasetId);
    if (version === undefined) return;
    await this.#fresh(
      () => newestEntryVersion(this.#o.clickhouse, projectId, datasetId),
      (stored) => stored >= version,
      'Dataset entry',
    );
  }

  async listDatasetEntries(
    projectId: string,
    datasetId: string,
    page: Page,
  ): Promise<ListOf<DatasetEntryView>> {
    await this.#freshDataset(projectId, datasetId);
    const { total, entries } = await listDatasetEntries(this.#o.clickhouse, projectId, datasetId, page);
    return { meta: { total_count: total }, data: entries };
  }

  async findDatasetEntry(
    projectId: string,
    datasetId: string,
    entryId: string,
  ): Promise<StoredEntry | undefined> {
    await this.#freshDataset(projectId, datasetId);
    return readDatasetEntry(this.#o.clickhouse, projectId, datasetId, entryId);
  }

  async getDatasetEntry(projectId: string, datasetId: string, entryId: string): Promise<DatasetEntryView> {
    const entry = await this.findDatasetEntry(projectId, datasetId, entryId);
    if (!entry) throw notFound('Dataset entry');
    return entry;
  }

  async queryDatasetEntries(
    projectId: string,
    datasetId: string,
    query: { query: string; limit: number },
  ): Promise<DatasetEntryView[]> {
    await this.#freshDataset(projectId, datasetId);
    return queryDatasetEntries(this.#o.clickhouse, projectId, datasetId, query.query, query.limit);
  }

  async listDatasets(projectId: string, page: Page & { name?: string }): Promise<ListOf<DatasetView>> {
    if (page.name !== undefined) {
      // By name: the dataset a write just created (e.g. by save_examples) is listed at once.
      const id = await this.#o.datasetIdFor(projectId, page.name);
      await this.#freshDataset(projectId, id).catch((err: unknown) => {
        if (!AppError.is(err, ErrorCodes.NOT_FOUND)) throw err;
      });
    }
    const { total, datasets } = await listDatasets(this.#o.clickhouse, projectId, page);
    return { meta: { total_count: total }, data: datasets };
  }

  async getDataset(projectId: string, datasetId: string): Promise<DatasetView> {
    await this.#freshDataset(projectId, datasetId);
    const { datasets } = await listDatasets(this.#o.clickhouse, projectId, {
      limit: 1,
      offset: 0,
      datasetId,
    });
    if (!datasets[0]) throw notFound('Dataset');
    return datasets[0];
  }

  /**
   * Creates a dataset by name, or returns the existing one: its id derives from project and name.
   * Datasets are control-plane rows (like projects), written directly rather than through Kafka, so
   * the next read sees them.
   */
  async createDataset(projectId: string, name: string): Promise<DatasetView> {
    const id = await this.#o.datasetIdFor(projectId, name);
    const { datasets } = await listDatasets(this.#o.clickhouse, projectId, {
      limit: 1,
      offset: 0,
      datasetId: id,
    });
    if (datasets[0]) return datasets[0];
    const now = new Date().toISOString();
    await insertDatasets(this.#o.clickhouse, [
      {
        project_id: projectId,
        dataset_id: id,
        name,
        created_at: `${now.slice(0, 10)} ${now.slice(11, 23)}000`,
        version: Date.now() * 1000,
      },
    ]);
    return { id, name, created_at: `${now.slice(0, 23)}000Z`, entry_count: 0 };
  }
}
