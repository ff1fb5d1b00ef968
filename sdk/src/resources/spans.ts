import type {
  CreateSpanInput,
  FeedbackInput,
  FeedbackResponse,
  SaveExamplesResponse,
  SearchInput,
  SpanResponse,
  SpanView,
  UpdateSpanInput,
} from '@tracehouse/shared';
import type { HttpClient } from '../http.js';
import { type Page, pages } from './pages.js';

const path = (id: string) => `/spans/${encodeURIComponent(id)}`;

/** Opper's spans, plus search. */
export class Spans {
  constructor(private readonly http: HttpClient) {}

  create(span: CreateSpanInput): Promise<SpanResponse> {
    return this.http.request('POST', '/spans', { body: span });
  }

  get(spanId: string): Promise<SpanView> {
    return this.http.request('GET', path(spanId));
  }

  /** Only the keys given change; `meta` and `tags` merge key by key. Answers with the merged span. */
  update(spanId: string, changes: UpdateSpanInput): Promise<SpanView> {
    return this.http.request('PATCH', path(spanId), { body: changes });
  }

  delete(spanId: string): Promise<void> {
    return this.http.request('DELETE', path(spanId));
  }

  /** Saves the span's input/output to a dataset: `datasetName`, or one named after the span. */
  saveExamples(spanId: string, options: { datasetName?: string } = {}): Promise<SaveExamplesResponse> {
    return this.http.request('POST', `${path(spanId)}/save_examples`, {
      body: options.datasetName === undefined ? undefined : { dataset_name: options.datasetName },
    });
  }

  feedback(spanId: string, feedback: FeedbackInput): Promise<FeedbackResponse> {
    return this.http.request('POST', `${path(spanId)}/feedback`, { body: feedback });
  }

  /** One page of spans matching a filter; pass `next_cursor` back as `cursor` for the next. */
  search(request: SearchInput = {}): Promise<Page<SpanView>> {
    return this.http.request('POST', '/search/spans', { body: request, retry: true });
  }

  /** Every span matching a filter, page after page (stable while new spans arrive). */
  searchAll(request: Omit<SearchInput, 'cursor'> = {}): AsyncGenerator<SpanView> {
    return pages((cursor) => this.search({ ...request, cursor }));
  }
}
