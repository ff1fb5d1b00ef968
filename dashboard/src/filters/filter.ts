import type { SearchFilter } from '../api/types';

/**
 * The filter language of the URL. Every filter is a query parameter, so a view is a link:
 * `?range=1h&tag=env%3Dprod&tag=region%3Deu&name=chat&status=error&errors=1&dmin=100&dmax=5000`
 * `&metric=quality&mmin=0.5&mmax=1` (or `range=custom&from=…&to=…`).
 */
export const presets = { '15m': 15, '1h': 60, '6h': 360, '24h': 1440, '7d': 10_080, '30d': 43_200 } as const;
export type Preset = keyof typeof presets;
export const filterParamNames = [
  'range',
  'from',
  'to',
  'tag',
  'name',
  'status',
  'errors',
  'dmin',
  'dmax',
  'metric',
  'mmin',
  'mmax',
];

export function rangeOf(params: URLSearchParams): { preset: Preset | 'custom'; from?: string; to?: string } {
  const range = params.get('range');
  if (range === 'custom')
    return { preset: 'custom', from: params.get('from') ?? undefined, to: params.get('to') ?? undefined };
  return { preset: range && range in presets ? (range as Preset) : '24h' };
}

export function tagsOf(params: URLSearchParams): [string, string][] {
  return params.getAll('tag').flatMap((t) => {
    const at = t.indexOf('=');
    return at > 0 ? [[t.slice(0, at), t.slice(at + 1)] as [string, string]] : [];
  });
}

const num = (v: string | null) =>
  v === null || v.trim() === '' || Number.isNaN(Number(v)) ? undefined : Number(v);

/** The API's search filter for the URL's filters; preset windows end at `now`. */
export function searchFilter(params: URLSearchParams, now = Date.now()): SearchFilter {
  const filter: SearchFilter = {};
  const range = rangeOf(params);
  if (range.preset === 'custom') {
    if (range.from) filter.from = new Date(range.from).toISOString();
    if (range.to) filter.to = new Date(range.to).toISOString();
  } else {
    filter.from = new Date(now - presets[range.preset] * 60_000).toISOString();
    filter.to = new Date(now).toISOString();
  }
  const tags = tagsOf(params);
  if (tags.length) filter.tags = Object.fromEntries(tags);
  const name = params.get('name');
  if (name) filter.name = name;
  const status = params.get('status');
  if (status === 'ok' || status === 'error' || status === 'unset') filter.status = status;
  if (params.get('errors') === '1') filter.has_error = true;
  const dmin = num(params.get('dmin'));
  const dmax = num(params.get('dmax'));
  if (dmin !== undefined) filter.min_duration_ms = dmin;
  if (dmax !== undefined) filter.max_duration_ms = dmax;
  const metric = params.get('metric');
  if (metric) {
    filter.metric = { dimension: metric };
    const mmin = num(params.get('mmin'));
    const mmax = num(params.get('mmax'));
    if (mmin !== undefined) filter.metric.min = mmin;
    if (mmax !== undefined) filter.metric.max = mmax;
  }
  return filter;
}

/** The URL query string of just the filters (kept when moving between pages). */
export function filterQuery(params: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const name of filterParamNames) for (const v of params.getAll(name)) kept.append(name, v);
  const qs = kept.toString();
  return qs ? `?${qs}` : '';
}

/** A copy of `params` with `name` set (or removed when empty). */
export function withParam(params: URLSearchParams, name: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null || value === '') next.delete(name);
  else next.set(name, value);
  return next;
}
