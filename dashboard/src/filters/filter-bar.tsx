import { setParams } from '../router';
import { type Preset, presets, rangeOf, searchFilter, tagsOf, withParam } from './filter';
import { ParamInput } from './param-input';
import { TagInput } from './tag-input';

/** Every filter of the traces, metrics and export pages; each change rewrites the URL. */
export function FilterBar({ params }: { params: URLSearchParams }) {
  const range = rangeOf(params);
  const apply = (next: URLSearchParams) => {
    next.delete('cursor');
    setParams(next, { replace: true });
  };
  const commit = (name: string) => (value: string) => apply(withParam(params, name, value));
  const set = (name: string) => (e: Event) =>
    apply(withParam(params, name, (e.currentTarget as HTMLInputElement).value));
  // Suggestions follow the window, rounded to the minute so typing does not refetch for every render.
  const window = searchFilter(params, Math.floor(Date.now() / 60_000) * 60_000);

  return (
    <form class="filter-bar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <select aria-label="Time range" value={range.preset} onChange={set('range')}>
        {Object.keys(presets).map((p) => (
          <option key={p} value={p}>
            Last {p}
          </option>
        ))}
        <option value="custom">Custom range</option>
      </select>
      {range.preset === 'custom' && (
        <>
          <ParamInput
            type="datetime-local"
            aria-label="From"
            value={range.from ?? ''}
            onCommit={commit('from')}
          />
          <ParamInput type="datetime-local" aria-label="To" value={range.to ?? ''} onCommit={commit('to')} />
        </>
      )}
      <ParamInput
        aria-label="Name"
        placeholder="name"
        value={params.get('name') ?? ''}
        onCommit={commit('name')}
      />
      <select aria-label="Status" value={params.get('status') ?? ''} onChange={set('status')}>
        <option value="">any status</option>
        <option value="ok">ok</option>
        <option value="error">error</option>
        <option value="unset">unset</option>
      </select>
      <label class="check">
        <input
          type="checkbox"
          checked={params.get('errors') === '1'}
          onChange={(e) => apply(withParam(params, 'errors', e.currentTarget.checked ? '1' : null))}
        />
        errors only
      </label>
      <span class="range-pair">
        <ParamInput
          class="num"
          aria-label="Min duration (ms)"
          placeholder="min ms"
          value={params.get('dmin') ?? ''}
          onCommit={commit('dmin')}
        />
        –
        <ParamInput
          class="num"
          aria-label="Max duration (ms)"
          placeholder="max ms"
          value={params.get('dmax') ?? ''}
          onCommit={commit('dmax')}
        />
      </span>
      <span class="range-pair">
        <ParamInput
          aria-label="Metric"
          placeholder="metric"
          value={params.get('metric') ?? ''}
          onCommit={commit('metric')}
        />
        <ParamInput
          class="num"
          aria-label="Metric min"
          placeholder="min"
          value={params.get('mmin') ?? ''}
          onCommit={commit('mmin')}
        />
        –
        <ParamInput
          class="num"
          aria-label="Metric max"
          placeholder="max"
          value={params.get('mmax') ?? ''}
          onCommit={commit('mmax')}
        />
      </span>
      <TagInput
        from={window.from}
        to={window.to}
        onAdd={(key, value) => {
          const next = new URLSearchParams(params);
          if (!tagsOf(params).some(([k, v]) => k === key && v === value))
            next.append('tag', `${key}=${value}`);
          apply(next);
        }}
      />
      <span class="chips">
        {tagsOf(params).map(([k, v]) => (
          <span class="chip" key={`${k}=${v}`}>
            {k}={v}
            <button
              type="button"
              aria-label={`Remove tag ${k}=${v}`}
              onClick={() => {
                const next = new URLSearchParams(params);
                next.delete('tag');
                for (const t of params.getAll('tag')) if (t !== `${k}=${v}`) next.append('tag', t);
                apply(next);
              }}
            >
              ×
            </button>
          </span>
        ))}
      </span>
    </form>
  );
}

export type { Preset };
