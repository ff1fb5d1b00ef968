import { useMemo, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { MetricAnalyticsResponse, Page, SpanView } from '../api/types';
import { LineChart } from '../charts/chart';
import { aggregationOf, aggregations, toSeries } from '../charts/series';
import { filterQuery, searchFilter, withParam } from '../filters/filter';
import { FilterBar } from '../filters/filter-bar';
import { ParamInput } from '../filters/param-input';
import { duration, number, time } from '../format';
import { navigate, onLinkClick, setParams } from '../router';
import { Empty, ErrorState, Loading } from '../ui/states';
import { useQuery } from '../use-query';

/**
 * A metric dimension over time (`POST /v2/analytics/metrics`), filtered like the traces, optionally one
 * line per span name or tag value. A click on a point lists the spans (and their traces) behind it.
 */
export function MetricsPage({ params }: { params: URLSearchParams }) {
  const dimension = params.get('dim') ?? '';
  const agg = aggregationOf(params.get('agg'));
  const group = params.get('group') ?? '';
  const key = dimension ? `${filterQuery(params)}|${dimension}|${agg}|${group}` : null;
  const analytics = useQuery(key, () =>
    api<MetricAnalyticsResponse>('POST', '/v2/analytics/metrics', {
      dimension,
      filter: { ...searchFilter(params), metric: undefined },
      aggregations: [agg],
      ...(group === 'name' ? { group_by: { span_name: true } } : group ? { group_by: { tag: group } } : {}),
    }),
  );
  const chart = useMemo(() => {
    if (!analytics.data) return null;
    const range: [number, number] = [
      Date.parse(analytics.data.from) / 1000,
      Date.parse(analytics.data.to) / 1000,
    ];
    return { ...toSeries(analytics.data, agg), range };
  }, [analytics.data, agg]);
  const [picked, setPicked] = useState<number | null>(null);
  const commit = (name: string) => (value: string) =>
    setParams(withParam(params, name, value), { replace: true });
  const set = (name: string) => (e: Event) =>
    setParams(withParam(params, name, (e.currentTarget as HTMLInputElement).value), { replace: true });

  const alertHref = `/alerts?new=1&dim=${encodeURIComponent(dimension)}&agg=${agg}${params
    .getAll('tag')
    .map((t) => `&tag=${encodeURIComponent(t)}`)
    .join('')}`;
  return (
    <section>
      <header class="page-head">
        <h1>Metrics</h1>
      </header>
      <FilterBar params={params} />
      <form class="filter-bar" aria-label="Chart" onSubmit={(e) => e.preventDefault()}>
        <ParamInput
          aria-label="Dimension"
          placeholder="metric dimension, e.g. latency_ms"
          value={dimension}
          onCommit={commit('dim')}
        />
        <select aria-label="Aggregation" value={agg} onChange={set('agg')}>
          {aggregations.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <ParamInput
          aria-label="Group by tag"
          placeholder="group by tag key"
          value={group === 'name' ? '' : group}
          onCommit={commit('group')}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={group === 'name'}
            onChange={(e) =>
              setParams(withParam(params, 'group', e.currentTarget.checked ? 'name' : null), {
                replace: true,
              })
            }
          />
          group by span name
        </label>
        {dimension && (
          <a class="button" href={alertHref} onClick={(e) => onLinkClick(e, alertHref)}>
            Create alert from this chart
          </a>
        )}
      </form>
      {!dimension && (
        <Empty>
          Type a metric dimension (as your spans record it, e.g. quality or latency_ms) to chart it.
        </Empty>
      )}
      {analytics.error !== undefined && <ErrorState error={analytics.error} retry={analytics.refetch} />}
      {key && analytics.data === undefined && analytics.error === undefined && <Loading what="the chart" />}
      {chart && chart.xs.length === 0 && (
        <Empty>
          No "{dimension}" metrics on spans matching these filters in this range. Check the name or widen the
          range.
        </Empty>
      )}
      {chart && chart.xs.length > 0 && analytics.data && (
        <>
          <LineChart xs={chart.xs} series={chart.series} range={chart.range} onPick={setPicked} />
          <p class="hint">Click a point to list the traces behind it.</p>
          {picked !== null && chart.xs[picked] !== undefined && (
            <PointTraces
              params={params}
              dimension={dimension}
              fromSec={chart.xs[picked]}
              intervalSec={analytics.data.interval_seconds}
            />
          )}
        </>
      )}
    </section>
  );
}

/** The spans with this metric in the clicked bucket, each linking to its trace. */
function PointTraces(props: {
  params: URLSearchParams;
  dimension: string;
  fromSec: number;
  intervalSec: number;
}) {
  const { params, dimension, fromSec, intervalSec } = props;
  const from = new Date(fromSec * 1000).toISOString();
  const to = new Date((fromSec + intervalSec) * 1000).toISOString();
  const spans = useQuery(`${from}|${dimension}|${filterQuery(params)}`, () =>
    api<Page<SpanView>>('POST', '/v2/search/spans', {
      filter: { ...searchFilter(params), from, to, metric: { dimension } },
      limit: 100,
    }),
  );
  if (spans.error !== undefined) return <ErrorState error={spans.error} retry={spans.refetch} />;
  if (!spans.data) return <Loading what="the traces behind this point" />;
  return (
    <div class="point-traces">
      <h2>
        Spans with {dimension} between {time(from)} and {time(to)}, and their traces
      </h2>
      <table class="grid" aria-label="Traces behind the point">
        <tbody>
          {spans.data.data.map((s) => {
            const href = `/trace/${s.trace_id}?span=${s.id}`;
            return (
              <tr key={s.id} onClick={() => navigate(href)}>
                <td>
                  <a href={href} onClick={(e) => onLinkClick(e, href)}>
                    {s.name}
                  </a>
                </td>
                <td class="mono muted">trace {s.trace_id.slice(0, 8)}</td>
                <td>{time(s.start_time)}</td>
                <td class="n">{duration(s.duration_ms)}</td>
                <td class="n">{number(s.usage.total_tokens)} tokens</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
