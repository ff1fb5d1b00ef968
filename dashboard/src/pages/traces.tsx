import { useCallback, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Page, SearchSort, TraceListItem } from '../api/types';
import { filterQuery, searchFilter, withParam } from '../filters/filter';
import { FilterBar } from '../filters/filter-bar';
import { cost, duration, number, time } from '../format';
import { useRowKeys } from '../keys';
import { navigate, onLinkClick, setParams } from '../router';
import { Empty, ErrorState, Loading } from '../ui/states';
import { useQuery } from '../use-query';

const pageSize = 50;
const sorts: SearchSort[] = ['-start_time', 'start_time', '-duration_ms', 'duration_ms'];

/** Traces matching the URL's filters, newest first by default; cursor pages; optional live refresh. */
export function TracesPage({ params }: { params: URLSearchParams }) {
  const sortParam = params.get('sort') as SearchSort | null;
  const sort: SearchSort = sortParam && sorts.includes(sortParam) ? sortParam : '-start_time';
  const live = params.get('live') === '1';
  // Cursors of the pages before this one; a new filter starts again at the first page.
  const [cursors, setCursors] = useState<string[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const filterKey = `${filterQuery(params)}|${sort}`;
  const [shownKey, setShownKey] = useState(filterKey);
  if (shownKey !== filterKey) {
    setShownKey(filterKey);
    setCursors([]);
    setCursor(undefined);
  }
  const traces = useQuery(
    `${filterKey}|${cursor ?? ''}`,
    () =>
      api<Page<TraceListItem>>('POST', '/v2/search/traces', {
        filter: searchFilter(params),
        sort,
        limit: pageSize,
        ...(cursor ? { cursor } : {}),
      }),
    live && !cursor ? 5_000 : undefined,
  );
  const rows = traces.data?.data ?? [];
  const href = (t: TraceListItem) => `/trace/${t.id}${filterQuery(params)}`;
  const open = useCallback((i: number) => rows[i] && navigate(href(rows[i])), [rows]);
  const [selected, select] = useRowKeys(rows.length, open);

  const sortBy = (field: 'start_time' | 'duration_ms') => {
    const next: SearchSort = sort === `-${field}` ? field : `-${field}`;
    setParams(withParam(params, 'sort', next === '-start_time' ? null : next), { replace: true });
  };
  const arrow = (field: string) => (sort === field ? ' ↑' : sort === `-${field}` ? ' ↓' : '');

  return (
    <section>
      <header class="page-head">
        <h1>Traces</h1>
        <label class="check">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) =>
              setParams(withParam(params, 'live', e.currentTarget.checked ? '1' : null), { replace: true })
            }
          />
          live refresh
        </label>
      </header>
      <FilterBar params={params} />
      {traces.error !== undefined && <ErrorState error={traces.error} retry={traces.refetch} />}
      {traces.data === undefined && traces.error === undefined && <Loading what="traces" />}
      {traces.data !== undefined && rows.length === 0 && (
        <Empty>
          No traces match these filters in this time range. Widen the range, remove a tag, or send spans with
          an SDK (see the README's quick start).
        </Empty>
      )}
      {rows.length > 0 && (
        <table class="grid" aria-label="Traces" aria-busy={traces.loading}>
          <thead>
            <tr>
              <th>Name</th>
              <th>
                <button type="button" class="sort" onClick={() => sortBy('start_time')}>
                  Start{arrow('start_time')}
                </button>
              </th>
              <th>
                <button type="button" class="sort" onClick={() => sortBy('duration_ms')}>
                  Duration{arrow('duration_ms')}
                </button>
              </th>
              <th>Status</th>
              <th>Spans</th>
              <th>Errors</th>
              <th>Tokens</th>
              <th>Cost</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t, i) => (
              <tr
                key={t.id}
                data-trace-id={t.id}
                aria-selected={i === selected}
                class={t.error_count > 0 ? 'has-error' : ''}
                onClick={() => select(i)}
                onDblClick={() => open(i)}
              >
                <td>
                  <a href={href(t)} onClick={(e) => onLinkClick(e, href(t))}>
                    {t.name ?? '(unnamed)'}
                  </a>
                </td>
                <td>{time(t.start_time)}</td>
                <td class="n">{duration(t.duration_ms)}</td>
                <td>
                  <span class={`status ${t.status ?? ''}`}>{t.status ?? '—'}</span>
                </td>
                <td class="n">{number(t.span_count)}</td>
                <td class="n">{t.error_count || ''}</td>
                <td class="n">{number(t.total_tokens)}</td>
                <td class="n">{cost(t.total_cost)}</td>
                <td class="tags">
                  {Object.entries(t.tags).map(([k, v]) => (
                    <span class="chip small" key={k}>
                      {k}={v}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Result pages">
        <button
          type="button"
          disabled={cursors.length === 0 && !cursor}
          onClick={() => {
            const prev = cursors.slice(0, -1);
            setCursor(cursors.at(-1) || undefined);
            setCursors(prev);
          }}
        >
          ← Newer
        </button>
        <button
          type="button"
          disabled={!traces.data?.next_cursor}
          onClick={() => {
            setCursors([...cursors, cursor ?? '']);
            setCursor(traces.data?.next_cursor ?? undefined);
          }}
        >
          Older →
        </button>
        <span class="hint">j/k to move, Enter to open</span>
      </nav>
    </section>
  );
}
