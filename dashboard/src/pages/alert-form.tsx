import { useMemo, useState } from 'preact/hooks';
import {
  type AlertPreview,
  type AlertRule,
  type AlertRuleInput,
  type Comparator,
  type SpanSignal,
  spanSignals,
} from '../api/alerts';
import { advice, api } from '../api/client';
import { LineChart } from '../charts/chart';
import { aggregationOf, aggregations } from '../charts/series';
import { tagsOf } from '../filters/filter';
import { number, time } from '../format';

/** A rule prefilled from the metrics page's URL (`?new=1&dim=…&agg=…&tag=k=v`). */
export function draftFrom(params: URLSearchParams): AlertRuleInput {
  const dim = params.get('dim');
  const tags = Object.fromEntries(tagsOf(params));
  const aggregation = aggregationOf(params.get('agg'));
  return {
    name: dim ? `${aggregation} ${dim}` : 'New rule',
    description: '',
    enabled: true,
    source: dim ? { type: 'metric', dimension: dim } : { type: 'span', signal: 'span.error_rate' },
    filter: Object.keys(tags).length ? { tags } : {},
    aggregation,
    window_seconds: 300,
    comparator: '>',
    threshold: 0,
    for_seconds: 0,
    no_data: 'keep',
    severity: 'warning',
    channels: [{ type: 'log' }],
    repeat_interval_seconds: null,
  };
}

/** Create or edit a rule; "Preview" replays it over the last 24 h of stored data before saving. */
export function AlertForm({ rule, onDone }: { rule: AlertRule | AlertRuleInput; onDone: () => void }) {
  const [draft, setDraft] = useState<AlertRuleInput>(rule);
  const [preview, setPreview] = useState<AlertPreview | null>(null);
  const [note, setNote] = useState('');
  const id = 'id' in rule ? rule.id : null;
  const patch = (p: Partial<AlertRuleInput>) => setDraft({ ...draft, ...p });
  const body = (): AlertRuleInput => {
    const { name, description, enabled, source, filter, aggregation, window_seconds, comparator } = draft;
    const { threshold } = draft;
    const { for_seconds, no_data, severity, channels, repeat_interval_seconds } = draft;
    return {
      name,
      description,
      enabled,
      source,
      filter,
      aggregation,
      window_seconds,
      comparator,
      threshold,
      for_seconds,
      no_data,
      severity,
      channels,
      repeat_interval_seconds,
    };
  };
  const chart = useMemo(() => {
    if (!preview) return null;
    return {
      xs: preview.series.map((p) => Date.parse(p.at) / 1000),
      series: [
        { label: 'value', values: preview.series.map((p) => p.value) },
        { label: 'threshold', values: preview.series.map(() => draft.threshold) },
      ],
    };
  }, [preview]);

  return (
    <form
      class="alert-form"
      aria-label={id ? 'Edit alert rule' : 'New alert rule'}
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          if (id) await api('PATCH', `/v2/alerts/rules/${id}`, body());
          else await api('POST', '/v2/alerts/rules', body());
          onDone();
        } catch (err) {
          setNote(advice(err));
        }
      }}
    >
      <label>
        Name <input value={draft.name} required onInput={(e) => patch({ name: e.currentTarget.value })} />
      </label>
      <label>
        Watch
        <select
          aria-label="Source"
          value={draft.source.type === 'metric' ? 'metric' : draft.source.signal}
          onChange={(e) => {
            const v = e.currentTarget.value;
            patch({
              source:
                v === 'metric'
                  ? { type: 'metric', dimension: '' }
                  : { type: 'span', signal: v as SpanSignal },
            });
          }}
        >
          <option value="metric">a metric dimension</option>
          {spanSignals.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {draft.source.type === 'metric' && (
        <label>
          Dimension
          <input
            value={draft.source.dimension}
            required
            onInput={(e) => patch({ source: { type: 'metric', dimension: e.currentTarget.value } })}
          />
        </label>
      )}
      <label>
        Aggregation
        <select
          value={draft.aggregation}
          onChange={(e) => patch({ aggregation: aggregationOf(e.currentTarget.value) })}
        >
          {aggregations.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <label>
        over (s){' '}
        <input
          type="number"
          min={60}
          value={draft.window_seconds}
          onInput={(e) => patch({ window_seconds: Number(e.currentTarget.value) })}
        />
      </label>
      <label>
        is
        <select
          value={draft.comparator}
          onChange={(e) => patch({ comparator: e.currentTarget.value as Comparator })}
        >
          {['>', '>=', '<', '<='].map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input
          type="number"
          step="any"
          aria-label="Threshold"
          value={draft.threshold}
          onInput={(e) => patch({ threshold: Number(e.currentTarget.value) })}
        />
      </label>
      <label>
        Severity
        <select
          value={draft.severity}
          onChange={(e) => patch({ severity: e.currentTarget.value as AlertRuleInput['severity'] })}
        >
          <option>info</option>
          <option>warning</option>
          <option>critical</option>
        </select>
      </label>
      <label>
        Webhook URL (optional)
        <input
          type="url"
          value={(draft.channels.find((c) => c.type === 'webhook') as { url: string } | undefined)?.url ?? ''}
          onInput={(e) => {
            const url = e.currentTarget.value;
            patch({ channels: url ? [{ type: 'webhook', url }] : [{ type: 'log' }] });
          }}
        />
      </label>
      <p class="muted">
        Filter:{' '}
        {Object.entries(draft.filter.tags ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || 'all spans'}
      </p>
      <div class="buttons">
        <button
          type="button"
          onClick={async () => {
            const to = new Date();
            const from = new Date(to.getTime() - 86_400_000);
            try {
              setPreview(
                await api<AlertPreview>('POST', '/v2/alerts/rules/preview', {
                  rule: body(),
                  from: from.toISOString(),
                  to: to.toISOString(),
                }),
              );
              setNote('');
            } catch (err) {
              setNote(advice(err));
            }
          }}
        >
          Preview (last 24 h)
        </button>
        <button type="submit">{id ? 'Save rule' : 'Create rule'}</button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {note && <p class="note error">{note}</p>}
      {chart && chart.xs.length > 0 && <LineChart xs={chart.xs} series={chart.series} onPick={() => {}} />}
      {preview && (
        <ul class="transitions">
          {preview.transitions.length === 0 && <li>It would not have fired in the last 24 h.</li>}
          {preview.transitions.map((t) => (
            <li key={t.at}>
              {time(t.at)}: {t.kind} ({number(t.value)})
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
