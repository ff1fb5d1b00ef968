import { useState } from 'preact/hooks';
import { advice, api, download } from '../api/client';
import type { DatasetEntryView, DatasetView, OpperList } from '../api/types';
import { number, time } from '../format';
import { useRowKeys } from '../keys';
import { navigate, onLinkClick } from '../router';
import { Empty, ErrorState, Loading } from '../ui/states';
import { useQuery } from '../use-query';

/** The project's datasets; Enter or a click opens one. */
export function DatasetsPage() {
  const list = useQuery('datasets', () => api<OpperList<DatasetView>>('GET', '/v2/datasets?limit=100'));
  const rows = list.data?.data ?? [];
  const [selected, select] = useRowKeys(rows.length, (i) => rows[i] && navigate(`/datasets/${rows[i].id}`));
  return (
    <section>
      <header class="page-head">
        <h1>Datasets</h1>
      </header>
      {list.error !== undefined && <ErrorState error={list.error} retry={list.refetch} />}
      {!list.data && list.error === undefined && <Loading what="datasets" />}
      {list.data && rows.length === 0 && (
        <Empty>No datasets yet. Open a span and use "Save to a dataset", or POST /v2/datasets.</Empty>
      )}
      {rows.length > 0 && (
        <table class="grid" aria-label="Datasets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Entries</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d, i) => (
              <tr key={d.id} aria-selected={i === selected} onClick={() => select(i)}>
                <td>
                  <a href={`/datasets/${d.id}`} onClick={(e) => onLinkClick(e, `/datasets/${d.id}`)}>
                    {d.name}
                  </a>
                </td>
                <td class="n">{number(d.entry_count)}</td>
                <td>{time(d.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One dataset's entries (first 100) and its JSONL export. */
export function DatasetPage({ datasetId }: { datasetId: string }) {
  const dataset = useQuery(`dataset:${datasetId}`, () =>
    api<DatasetView>('GET', `/v2/datasets/${datasetId}`),
  );
  const entries = useQuery(`entries:${datasetId}`, () =>
    api<OpperList<DatasetEntryView>>('GET', `/v2/datasets/${datasetId}/entries?limit=100`),
  );
  const [note, setNote] = useState('');
  const name = dataset.data?.name ?? 'dataset';
  return (
    <section>
      <header class="page-head">
        <a href="/datasets" onClick={(e) => onLinkClick(e, '/datasets')}>
          ← Datasets
        </a>
        <h1>{name}</h1>
        <button
          type="button"
          onClick={() =>
            download('GET', `/v2/datasets/${datasetId}/export`, undefined, `${name}.jsonl`).then(
              (bytes) => setNote(`Exported ${bytes.toLocaleString()} bytes.`),
              (err) => setNote(advice(err)),
            )
          }
        >
          Export JSONL
        </button>
        {note && <span class="note">{note}</span>}
      </header>
      {entries.error !== undefined && <ErrorState error={entries.error} retry={entries.refetch} />}
      {!entries.data && entries.error === undefined && <Loading what="entries" />}
      {entries.data && entries.data.data.length === 0 && <Empty>This dataset has no entries yet.</Empty>}
      {entries.data && entries.data.data.length > 0 && (
        <table class="grid" aria-label="Entries">
          <thead>
            <tr>
              <th>Input</th>
              <th>Output</th>
              <th>Expected</th>
              <th>Comment</th>
            </tr>
          </thead>
          <tbody>
            {entries.data.data.map((e) => (
              <tr key={e.id}>
                <td class="clip">{e.input}</td>
                <td class="clip">{e.output}</td>
                <td class="clip">{e.expected ?? ''}</td>
                <td class="clip">{e.comment ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
