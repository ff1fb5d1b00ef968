import type { ClickHouseClient } from '@clickhouse/client';
import type { DatasetEntryView, MetricAnalyticsRequest, MetricAnalyticsResponse } from '@tracehouse/shared';
import { streamDatasetEntries, type WriteFences } from '@tracehouse/shared/node';
import { ReadService } from './domain/read-service.js';
import { type AnalyticsBounds, metricAnalytics } from './search/analytics-service.js';
import { SearchService } from './search/search-service.js';

/** Everything the read routes call; built once per process by `createReadSide`. */
export interface ReadSide {
  reads: ReadService;
  search: SearchService;
  analytics: (projectId: string, req: MetricAnalyticsRequest) => Promise<MetricAnalyticsResponse>;
  datasetEntries: (projectId: string, datasetId: string) => AsyncIterable<DatasetEntryView>;
  /** For the routes that query directly (tag suggestions, alert rules and events). */
  clickhouse: ClickHouseClient;
}

export interface ReadSideOptions {
  /** A client whose settings cap every read query (time, memory, result rows). */
  clickhouse: ClickHouseClient;
  fences: WriteFences;
  waitMs: number;
  datasetIdFor: (projectId: string, name: string) => Promise<string>;
  /** Search pages and trace reads stop adding rows past this many bytes. */
  maxResponseBytes: number;
  /** Settings for streamed exports (no row cap; their own time limit). */
  exportSettings: Record<string, string | number>;
  analytics: AnalyticsBounds;
}

export function createReadSide(options: ReadSideOptions): ReadSide {
  const { clickhouse } = options;
  return {
    reads: new ReadService({
      clickhouse,
      fences: options.fences,
      waitMs: options.waitMs,
      datasetIdFor: options.datasetIdFor,
      maxTraceBytes: options.maxResponseBytes,
    }),
    search: new SearchService(clickhouse, {
      maxPageBytes: options.maxResponseBytes,
      exportSettings: options.exportSettings,
    }),
    analytics: (projectId, req) => metricAnalytics(clickhouse, projectId, req, options.analytics),
    datasetEntries: (projectId, datasetId) =>
      streamDatasetEntries(clickhouse, projectId, datasetId, options.exportSettings),
    clickhouse,
  };
}
