// Response shapes come from the server's own contracts (type-only: nothing of zod reaches the bundle).
export type {
  DatasetEntryView,
  DatasetView,
  MetricAnalyticsRequest,
  MetricAnalyticsResponse,
  MetricView,
  SearchFilter,
  SearchSort,
  SpanView,
  TraceDetail,
  TraceListItem,
  TraceSpanView,
} from '@tracehouse/shared';

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface OpperList<T> {
  meta: { total_count: number };
  data: T[];
}
