import type { ExportInput, SpanView, TraceSummary } from '@tracehouse/shared';
import type { HttpClient } from '../http.js';

/**
 * Everything a filter matches, streamed: records parsed from JSONL, or CSV records (header first).
 * Nothing is held in memory beyond the record being read; exports only read, so they are retried.
 */
export class Exports {
  constructor(private readonly http: HttpClient) {}

  async *spans(request: Omit<ExportInput, 'format'> = {}): AsyncGenerator<SpanView> {
    for await (const line of this.http.lines('POST', '/export/spans', {
      body: { ...request, format: 'jsonl' },
      retry: true,
    })) {
      if (line) yield JSON.parse(line) as SpanView;
    }
  }

  async *traces(request: Omit<ExportInput, 'format'> = {}): AsyncGenerator<TraceSummary> {
    for await (const line of this.http.lines('POST', '/export/traces', {
      body: { ...request, format: 'jsonl' },
      retry: true,
    })) {
      if (line) yield JSON.parse(line) as TraceSummary;
    }
  }

  csv(entity: 'spans' | 'traces', request: Omit<ExportInput, 'format'> = {}): AsyncGenerator<string> {
    return this.http.lines(
      'POST',
      `/export/${entity}`,
      { body: { ...request, format: 'csv' }, retry: true },
      '\r\n',
    );
  }
}
