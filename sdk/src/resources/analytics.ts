import type { MetricAnalyticsInput, MetricAnalyticsResponse } from '@tracehouse/shared';
import type { HttpClient } from '../http.js';

/** Metric aggregations over time (count, avg, percentiles per interval, grouped by a tag). */
export class Analytics {
  constructor(private readonly http: HttpClient) {}

  metrics(request: MetricAnalyticsInput): Promise<MetricAnalyticsResponse> {
    return this.http.request('POST', '/analytics/metrics', { body: request, retry: true });
  }
}
