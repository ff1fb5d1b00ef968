import type { SearchInput, TraceDetail, TraceListItem, TraceSummary } from '@tracehouse/shared';
import type { HttpClient } from '../http.js';
import { type List, type Page, pages } from './pages.js';

/** Traces: Opper's list and get, plus search. */
export class Traces {
  constructor(private readonly http: HttpClient) {}

  /** Newest first; `name` matches the root span's name. */
  list(options: { name?: string; limit?: number; offset?: number } = {}): Promise<List<TraceSummary>> {
    return this.http.request('GET', '/traces', { query: options });
  }

  /** A trace with its spans and their metrics; `tree: true` also nests them under their parents. */
  get(traceId: string, options: { tree?: boolean } = {}): Promise<TraceDetail> {
    return this.http.request('GET', `/traces/${encodeURIComponent(traceId)}`, {
      query: options.tree ? { tree: true } : undefined,
    });
  }

  search(request: SearchInput = {}): Promise<Page<TraceListItem>> {
    return this.http.request('POST', '/search/traces', { body: request, retry: true });
  }

  searchAll(request: Omit<SearchInput, 'cursor'> = {}): AsyncGenerator<TraceListItem> {
    return pages((cursor) => this.search({ ...request, cursor }));
  }
}
