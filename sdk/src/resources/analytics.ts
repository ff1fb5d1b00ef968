import type {
  ExportInput,
  MetricAnalyticsInput,
  MetricAnalyticsResponse,
  SpanView,
  TraceSummary,
} from '@tracehouse/shared';
import type { HttpClient } from '../http.js';

/** Metric aggregations over time. */
export class Analytics {
  constructor(private readonly http: HttpClient) {}

  metrics(request: MetricAnalyticsInput): Promise<MetricAnalyticsResponse> {
    return this.http.request('POST', '/analytics/metrics', { body: request });
  }
}

/** Everything a filter matches, streamed: records as JSONL, or CSV lines (header first). */
export class Exports {
  constructor(private readonly http: HttpClient) {}

  async *spans(request: Omit<ExportInput, 'format'> = {}): AsyncGenerator<SpanView> {
    for await (const line of this.http.lines('POST', '/export/spans', {
      body: { ...request, format: 'jsonl' },
    })) {
      if (line) yield JSON.parse(line) as SpanView;
    }
  }

  async *traces(request: Omit<ExportInput, 'format'> = {}): AsyncGenerator<TraceSummary> {
    for await (const line of this.http.lines('POST', '/export/traces', {
      body: { ...request, format: 'jsonl' },
    })) {
      if (line) yield JSON.parse(line) as TraceSummary;
    }
  }

  csv(entity: 'spans' | 'traces', request: Omit<ExportInput, 'format'> = {}): AsyncGenerator<string> {
    return this.http.lines('POST', `/export/${entity}`, { body: { ...request, format: 'csv' } }, '\r\n');
  }
}
