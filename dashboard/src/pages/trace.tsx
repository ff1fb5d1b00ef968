import { useCallback, useMemo, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { TraceDetail } from '../api/types';
import { filterQuery, withParam } from '../filters/filter';
import { cost, duration, number, time } from '../format';
import { useRowKeys } from '../keys';
import { onLinkClick, setParams } from '../router';
import { Inspector } from '../trace/inspector';
import { extent, flatten } from '../trace/tree';
import { Waterfall } from '../trace/waterfall';
import '../trace/trace.css';
import { ErrorState, Loading } from '../ui/states';
import { useQuery } from '../use-query';

/** One trace: summary, span tree with waterfall, and the selected span's inspector (`?span=`). */
export function TracePage({ traceId, params }: { traceId: string; params: URLSearchParams }) {
  const trace = useQuery(`trace:${traceId}`, () => api<TraceDetail>('GET', `/v2/traces/${traceId}`));
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const spans = trace.data?.spans ?? [];
  const rows = useMemo(() => flatten(spans, collapsed), [spans, collapsed]);
  const full = useMemo(() => extent(spans), [spans]);
  const selectedId = params.get('span');

  const select = useCallback(
    (id: string | null) => setParams(withParam(params, 'span', id), { replace: true }),
    [params],
  );
  const open = useCallback((i: number) => rows[i] && select(rows[i].span.id), [rows, select]);
  const close = useCallback(() => select(null), [select]);
  const [cursor, setCursor] = useRowKeys(rows.length, open, selectedId ? close : undefined);
  const back = `/traces${filterQuery(params)}`;

  if (trace.error !== undefined) return <ErrorState error={trace.error} retry={trace.refetch} />;
  if (!trace.data) return <Loading what="the trace" />;
  const t = trace.data;
  return (
    <section class={`trace-page${selectedId ? ' with-inspector' : ''}`}>
      <header class="page-head">
        <a href={back} onClick={(e) => onLinkClick(e, back)}>
          ← Traces
        </a>
        <h1>{t.name ?? 'Trace'}</h1>
        <span class={`status ${t.status ?? ''}`}>{t.status}</span>
        <span class="muted">
          {time(t.start_time)} · {duration(t.duration_ms)} · {number(t.span_count)} spans
          {t.error_count > 0 ? ` · ${t.error_count} errors` : ''} · {number(t.total_tokens)} tokens ·{' '}
          {cost(t.total_cost)}
        </span>
        {zoom && (
          <button type="button" onClick={() => setZoom(null)}>
            Reset zoom
          </button>
        )}
      </header>
      <div class="trace-body">
        <Waterfall
          rows={rows}
          view={zoom ?? full}
          origin={full[0]}
          selectedId={selectedId}
          cursor={cursor}
          collapsed={collapsed}
          onToggle={(id) => {
            const next = new Set(collapsed);
            if (next.has(id)) next.delete(id);
            else next.add(id);
            setCollapsed(next);
          }}
          onSelect={(id) => {
            setCursor(rows.findIndex((r) => r.span.id === id));
            select(id);
          }}
          onZoom={setZoom}
        />
        {selectedId && <Inspector key={selectedId} spanId={selectedId} onClose={close} />}
      </div>
    </section>
  );
}
