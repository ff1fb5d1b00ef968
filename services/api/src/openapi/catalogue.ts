import {
  CreateDatasetEntryRequest,
  CreateDatasetRequest,
  CreateMetricRequest,
  CreateSpanRequest,
  DatasetEntryParams,
  DatasetEntryQuery,
  DatasetEntryView,
  DatasetListQuery,
  DatasetParams,
  DatasetView,
  ExportRequest,
  FeedbackRequest,
  IngestBatchRequest,
  listOf,
  MetricAnalyticsRequest,
  MetricAnalyticsResponse,
  MetricParams,
  MetricView,
  PageQuery,
  SaveExamplesRequest,
  SearchRequest,
  SpanParams,
  SpanSearchPage,
  SpanView,
  TraceDetail,
  TraceDetailQuery,
  TraceListQuery,
  TraceParams,
  TraceSearchPage,
  TraceSummary,
  UpdateDatasetEntryRequest,
  UpdateMetricRequest,
  UpdateSpanRequest,
} from '@tracehouse/shared';
import { z } from 'zod';
import { alertOperations } from '../alerts/operations.js';
import { tagSuggestionOperations } from '../routes/v2/tag-suggestions.js';

/** One documented operation; schemas are the same zod objects the routes parse with. */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Fastify-style path (`/v2/spans/:span_id`). */
  path: string;
  tag: 'Spans' | 'Metrics' | 'Traces' | 'Datasets' | 'Search' | 'Ingest' | 'Alerts';
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success status and its body (none for 204). */
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** Streams lines (JSONL/CSV) rather than one JSON document. */
  stream?: string;
}

const SpanWriteResponse = SpanView.partial().required({ id: true, name: true, trace_id: true });
const SaveExamplesResponse = z.object({
  dataset_id: z.uuid(),
  dataset_entry_id: z.uuid(),
  input: z.string().nullable(),
  output: z.string().nullable(),
  expected: z.string().nullable(),
  comment: z.string().nullable(),
});
const FeedbackResponse = z.object({
  span_id: z.uuid(),
  score: z.number(),
  comment: z.string().nullable(),
  example_saved: z.boolean(),
});
const IngestResponse = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.number().int(),
      id: z.string().optional(),
      trace_id: z.string().optional(),
      error: z.object({ type: z.string(), message: z.string() }).optional(),
    }),
  ),
});
const ExportParams = z.object({ entity: z.enum(['spans', 'traces']) });

/** Every `/v2` operation, writes (ingest) and reads (this package): the API is one surface. */
export const operations: Operation[] = [
  // Spans (Opper)
  {
    method: 'post',
    path: '/v2/spans',
    tag: 'Spans',
    summary: 'Create a span',
    body: CreateSpanRequest,
    status: 200,
    response: SpanWriteResponse,
  },
  {
    method: 'get',
    path: '/v2/spans/:span_id',
    tag: 'Spans',
    summary: 'Get a span (read-your-writes)',
    params: SpanParams,
    status: 200,
    response: SpanView,
  },
  {
    method: 'patch',
    path: '/v2/spans/:span_id',
    tag: 'Spans',
    summary: 'Update a span; only keys present apply',
    params: SpanParams,
    body: UpdateSpanRequest,
    status: 200,
    response: SpanWriteResponse,
  },
  {
    method: 'delete',
    path: '/v2/spans/:span_id',
    tag: 'Spans',
    summary: 'Delete a span and its metrics',
    params: SpanParams,
    status: 204,
  },
  {
    method: 'post',
    path: '/v2/spans/:span_id/save_examples',
    tag: 'Spans',
    summary: 'Save the span to a dataset (named after the span, or `dataset_name`)',
    params: SpanParams,
    body: SaveExamplesRequest,
    status: 201,
    response: SaveExamplesResponse,
  },
  {
    method: 'post',
    path: '/v2/spans/:span_id/feedback',
    tag: 'Spans',
    summary: 'Human feedback on a span',
    params: SpanParams,
    body: FeedbackRequest,
    status: 200,
    response: FeedbackResponse,
  },
  // Metrics (Opper)
  {
    method: 'post',
    path: '/v2/spans/:span_id/metrics',
    tag: 'Metrics',
    summary: 'Attach a metric to a span',
    params: SpanParams,
    body: CreateMetricRequest,
    status: 200,
    response: MetricView,
  },
  {
    method: 'get',
    path: '/v2/spans/:span_id/metrics',
    tag: 'Metrics',
    summary: "A span's metrics",
    params: SpanParams,
    query: PageQuery,
    status: 200,
    response: listOf(MetricView),
  },
  {
    method: 'get',
    path: '/v2/spans/:span_id/metrics/:metric_id',
    tag: 'Metrics',
    summary: 'Get a metric',
    params: MetricParams,
    status: 200,
    response: MetricView,
  },
  {
    method: 'patch',
    path: '/v2/spans/:span_id/metrics/:metric_id',
    tag: 'Metrics',
    summary: 'Update a metric',
    params: MetricParams,
    body: UpdateMetricRequest,
    status: 200,
    response: MetricView,
  },
  {
    method: 'delete',
    path: '/v2/spans/:span_id/metrics/:metric_id',
    tag: 'Metrics',
    summary: 'Delete a metric',
    params: MetricParams,
    status: 204,
  },
  // Traces (Opper)
  {
    method: 'get',
    path: '/v2/traces',
    tag: 'Traces',
    summary: 'List traces, newest first (optionally by root span name)',
    query: TraceListQuery,
    status: 200,
    response: listOf(TraceSummary),
  },
  {
    method: 'get',
    path: '/v2/traces/:trace_id',
    tag: 'Traces',
    summary: 'A trace with its spans and metrics; `tree=true` nests them',
    params: TraceParams,
    query: TraceDetailQuery,
    status: 200,
    response: TraceDetail,
  },
  // Datasets (Opper entries, our datasets by name)
  {
    method: 'post',
    path: '/v2/datasets/:dataset_id',
    tag: 'Datasets',
    summary: 'Add an entry',
    params: DatasetParams,
    body: CreateDatasetEntryRequest,
    status: 200,
    response: DatasetEntryView,
  },
  {
    method: 'get',
    path: '/v2/datasets/:dataset_id/entries',
    tag: 'Datasets',
    summary: "A dataset's entries",
    params: DatasetParams,
    query: PageQuery,
    status: 200,
    response: listOf(DatasetEntryView),
  },
  {
    method: 'get',
    path: '/v2/datasets/:dataset_id/entries/:entry_id',
    tag: 'Datasets',
    summary: 'Get an entry',
    params: DatasetEntryParams,
    status: 200,
    response: DatasetEntryView,
  },
  {
    method: 'patch',
    path: '/v2/datasets/:dataset_id/entries/:entry_id',
    tag: 'Datasets',
    summary: 'Update an entry',
    params: DatasetEntryParams,
    body: UpdateDatasetEntryRequest,
    status: 200,
    response: DatasetEntryView,
  },
  {
    method: 'delete',
    path: '/v2/datasets/:dataset_id/entries/:entry_id',
    tag: 'Datasets',
    summary: 'Delete an entry',
    params: DatasetEntryParams,
    status: 204,
  },
  {
    method: 'post',
    path: '/v2/datasets/:dataset_id/entries/query',
    tag: 'Datasets',
    summary: 'Entries containing a text (a bare array)',
    params: DatasetParams,
    query: DatasetEntryQuery,
    status: 200,
    response: z.array(DatasetEntryView),
  },
  {
    method: 'get',
    path: '/v2/datasets',
    tag: 'Datasets',
    summary: 'List datasets (optionally one name)',
    query: DatasetListQuery,
    status: 200,
    response: listOf(DatasetView),
  },
  {
    method: 'post',
    path: '/v2/datasets',
    tag: 'Datasets',
    summary: 'Create a dataset by name (idempotent)',
    body: CreateDatasetRequest,
    status: 201,
    response: DatasetView,
  },
  {
    method: 'get',
    path: '/v2/datasets/:dataset_id',
    tag: 'Datasets',
    summary: 'Get a dataset',
    params: DatasetParams,
    status: 200,
    response: DatasetView,
  },
  {
    method: 'get',
    path: '/v2/datasets/:dataset_id/export',
    tag: 'Datasets',
    summary: 'Export every entry as JSONL',
    params: DatasetParams,
    status: 200,
    stream: 'application/x-ndjson',
  },
  // Search, export, analytics (ours)
  {
    method: 'post',
    path: '/v2/search/spans',
    tag: 'Search',
    summary: 'Search spans; cursor pages',
    body: SearchRequest,
    status: 200,
    response: SpanSearchPage,
  },
  {
    method: 'post',
    path: '/v2/search/traces',
    tag: 'Search',
    summary: 'Search traces; cursor pages',
    body: SearchRequest,
    status: 200,
    response: TraceSearchPage,
  },
  {
    method: 'post',
    path: '/v2/export/:entity',
    tag: 'Search',
    summary: 'Stream every span or trace a filter matches, as JSONL or CSV',
    params: ExportParams,
    body: ExportRequest,
    status: 200,
    stream: 'application/x-ndjson',
  },
  {
    method: 'post',
    path: '/v2/analytics/metrics',
    tag: 'Search',
    summary: 'A metric dimension per time bucket (count, avg, min, max, sum, p50…p99)',
    body: MetricAnalyticsRequest,
    status: 200,
    response: MetricAnalyticsResponse,
  },
  ...tagSuggestionOperations,
  // Ingest (ours)
  {
    method: 'post',
    path: '/v2/ingest',
    tag: 'Ingest',
    summary: 'A batch of span and metric writes (≤ 1,000 items), results per item',
    body: IngestBatchRequest,
    status: 200,
    response: IngestResponse,
  },
  ...alertOperations.map((op): Operation => ({ ...op, tag: 'Alerts' })),
];
