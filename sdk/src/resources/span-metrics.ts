import type { CreateMetricInput, MetricView, UpdateMetricInput } from '@tracehouse/shared';
import type { HttpClient } from '../http.js';
import type { List } from './pages.js';

const path = (spanId: string, metricId?: string) =>
  `/spans/${encodeURIComponent(spanId)}/metrics${metricId === undefined ? '' : `/${encodeURIComponent(metricId)}`}`;

/** Metrics on spans (`quality_score = 4.5`, `latency_ms = 320`). */
export class SpanMetrics {
  constructor(private readonly http: HttpClient) {}

  createMetric(spanId: string, metric: CreateMetricInput): Promise<MetricView> {
    return this.http.request('POST', path(spanId), { body: metric });
  }

  list(spanId: string, page: { limit?: number; offset?: number } = {}): Promise<List<MetricView>> {
    return this.http.request('GET', path(spanId), { query: page });
  }

  get(spanId: string, metricId: string): Promise<MetricView> {
    return this.http.request('GET', path(spanId, metricId));
  }

  update(spanId: string, metricId: string, changes: UpdateMetricInput): Promise<MetricView> {
    return this.http.request('PATCH', path(spanId, metricId), { body: changes });
  }

  delete(spanId: string, metricId: string): Promise<void> {
    return this.http.request('DELETE', path(spanId, metricId));
  }
}
