import type { DatasetEntryInput, DatasetEntryView, DatasetView } from '@tracehouse/shared';
import type { HttpClient } from '../http.js';
import type { List } from './pages.js';

const ds = (id: string) => `/datasets/${encodeURIComponent(id)}`;
const entry = (id: string, entryId: string) => `${ds(id)}/entries/${encodeURIComponent(entryId)}`;

/** Datasets of saved examples: by id (Opper) and by name (ours). */
export class Datasets {
  constructor(private readonly http: HttpClient) {}

  list(options: { name?: string; limit?: number; offset?: number } = {}): Promise<List<DatasetView>> {
    return this.http.request('GET', '/datasets', { query: options });
  }

  /** Creates a dataset by name, or returns the one that has it (so it is safe to retry). */
  create(name: string): Promise<DatasetView> {
    return this.http.request('POST', '/datasets', { body: { name }, retry: true });
  }

  get(datasetId: string): Promise<DatasetView> {
    return this.http.request('GET', ds(datasetId));
  }

  /** The dataset with this name, or undefined. */
  async byName(name: string): Promise<DatasetView | undefined> {
    return (await this.list({ name, limit: 1 })).data[0];
  }

  createEntry(datasetId: string, entry: DatasetEntryInput): Promise<DatasetEntryView> {
    return this.http.request('POST', ds(datasetId), { body: entry });
  }

  listEntries(
    datasetId: string,
    page: { limit?: number; offset?: number } = {},
  ): Promise<List<DatasetEntryView>> {
    return this.http.request('GET', `${ds(datasetId)}/entries`, { query: page });
  }

  getEntry(datasetId: string, entryId: string): Promise<DatasetEntryView> {
    return this.http.request('GET', entry(datasetId, entryId));
  }

  updateEntry(datasetId: string, entryId: string, changes: DatasetEntryInput): Promise<DatasetEntryView> {
    return this.http.request('PATCH', entry(datasetId, entryId), { body: changes });
  }

  deleteEntry(datasetId: string, entryId: string): Promise<void> {
    return this.http.request('DELETE', entry(datasetId, entryId));
  }

  /** Entries containing `query` in any field (case-insensitive). */
  queryEntries(datasetId: string, query: string, limit = 10): Promise<DatasetEntryView[]> {
    return this.http.request('POST', `${ds(datasetId)}/entries/query`, {
      query: { query, limit },
      retry: true,
    });
  }

  /** Every entry, streamed from the server's JSONL export. */
  async *export(datasetId: string): AsyncGenerator<DatasetEntryView> {
    for await (const line of this.http.lines('GET', `${ds(datasetId)}/export`)) {
      if (line) yield JSON.parse(line) as DatasetEntryView;
    }
  }
}
