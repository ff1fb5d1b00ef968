import { useState } from 'preact/hooks';
import { advice, download } from '../api/client';
import { searchFilter } from '../filters/filter';
import { FilterBar } from '../filters/filter-bar';

/** Everything the current filter matches, as JSONL or CSV (`POST /v2/export/{spans|traces}`). */
export function ExportPage({ params }: { params: URLSearchParams }) {
  const [entity, setEntity] = useState<'traces' | 'spans'>('traces');
  const [format, setFormat] = useState<'jsonl' | 'csv'>('jsonl');
  const [state, setState] = useState<{ busy: boolean; note: string }>({ busy: false, note: '' });
  return (
    <section>
      <header class="page-head">
        <h1>Export</h1>
      </header>
      <FilterBar params={params} />
      <form
        class="filter-bar"
        aria-label="Export"
        onSubmit={async (e) => {
          e.preventDefault();
          setState({ busy: true, note: 'Exporting…' });
          try {
            const bytes = await download(
              'POST',
              `/v2/export/${entity}`,
              { filter: searchFilter(params), format },
              `${entity}.${format}`,
            );
            setState({
              busy: false,
              note: `Downloaded ${entity}.${format} (${bytes.toLocaleString()} bytes).`,
            });
          } catch (err) {
            setState({ busy: false, note: advice(err) });
          }
        }}
      >
        <select
          aria-label="What"
          value={entity}
          onChange={(e) => setEntity(e.currentTarget.value as 'traces' | 'spans')}
        >
          <option value="traces">traces</option>
          <option value="spans">spans</option>
        </select>
        <select
          aria-label="Format"
          value={format}
          onChange={(e) => setFormat(e.currentTarget.value as 'jsonl' | 'csv')}
        >
          <option value="jsonl">JSONL</option>
          <option value="csv">CSV</option>
        </select>
        <button type="submit" disabled={state.busy}>
          Download
        </button>
        <span class="note" role="status">
          {state.note}
        </span>
      </form>
      <p class="muted">
        The export holds every match of the filters above, oldest first; the server streams it.
      </p>
    </section>
  );
}
