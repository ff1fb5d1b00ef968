import type { z } from 'zod';
import type { CreateDatasetEntryRequest, CreateDatasetRequest } from './datasets.js';
import type { IngestItem } from './ingest-batch.js';
import type { CreateMetricRequest, UpdateMetricRequest } from './opper-metrics.js';
import type { CreateSpanRequest, FeedbackRequest, UpdateSpanRequest } from './opper-spans.js';
import type { ExportRequest, MetricAnalyticsRequest, SearchFilter, SearchRequest } from './search.js';

/** What a client sends (before server-side defaults and transforms): the SDK's parameter types. */
export type CreateSpanInput = z.input<typeof CreateSpanRequest>;
export type UpdateSpanInput = z.input<typeof UpdateSpanRequest>;
export type FeedbackInput = z.input<typeof FeedbackRequest>;
export type CreateMetricInput = z.input<typeof CreateMetricRequest>;
export type UpdateMetricInput = z.input<typeof UpdateMetricRequest>;
export type DatasetEntryInput = z.input<typeof CreateDatasetEntryRequest>;
export type CreateDatasetInput = z.input<typeof CreateDatasetRequest>;
export type SearchInput = z.input<typeof SearchRequest>;
export type SearchFilterInput = z.input<typeof SearchFilter>;
export type ExportInput = z.input<typeof ExportRequest>;
export type MetricAnalyticsInput = z.input<typeof MetricAnalyticsRequest>;
export type IngestItemInput = z.input<typeof IngestItem>;
