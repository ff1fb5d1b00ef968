import { useState } from 'preact/hooks';
import type { AlertEvent, AlertRule, AlertTestResult } from '../api/alerts';
import { advice, api } from '../api/client';
import { number, time } from '../format';
import { navigate, onLinkClick } from '../router';
import { Empty, ErrorState, Loading } from '../ui/states';
import { useQuery } from '../use-query';
import { AlertForm, draftFrom } from './alert-form';

const describe = (r: AlertRule) =>
  `${r.aggregation}(${r.source.type === 'metric' ? r.source.dimension : r.source.signal}) over ${r.window_seconds}s ${r.comparator} ${r.threshold}`;

/** Alert rules (create, edit with preview, enable/disable, test) and the event history. */
export function AlertsPage({ params }: { params: URLSearchParams }) {
  // Ask the API reference first, so a server without alerts gets a clear message, not failing calls.
  const available = useQuery('alerts-available', () =>
    api<{ paths: Record<string, unknown> }>('GET', '/openapi.json').then(
      (doc) => '/v2/alerts/rules' in doc.paths,
    ),
  );
  if (available.error !== undefined) return <ErrorState error={available.error} retry={available.refetch} />;
  if (available.data === undefined) return <Loading what="alerts" />;
  if (!available.data)
    return (
      <section>
        <h1>Alerts</h1>
        <Empty>
          This server has no alerts API yet (its API reference lists no /v2/alerts routes). Upgrade Tracehouse
          to set up alerts.
        </Empty>
      </section>
    );
  return <AlertRules params={params} />;
}

function AlertRules({ params }: { params: URLSearchParams }) {
  const rules = useQuery('alert-rules', () => api<{ data: AlertRule[] }>('GET', '/v2/alerts/rules'));
  const events = useQuery('alert-events', () =>
    api<{ data: AlertEvent[] }>('GET', '/v2/alerts/events?limit=50'),
  );
  const [editing, setEditing] = useState<AlertRule | null>(null);
  const [note, setNote] = useState('');
  const creating = params.get('new') === '1';
  const done = () => {
    setEditing(null);
    navigate('/alerts', { replace: true });
    rules.refetch();
  };

  return (
    <section>
      <header class="page-head">
        <h1>Alerts</h1>
        <a class="button" href="/alerts?new=1" onClick={(e) => onLinkClick(e, '/alerts?new=1')}>
          New rule
        </a>
        {note && <span class="note">{note}</span>}
      </header>
      {creating && <AlertForm rule={draftFrom(params)} onDone={done} />}
      {editing && <AlertForm key={editing.id} rule={editing} onDone={done} />}
      {rules.error !== undefined && <ErrorState error={rules.error} retry={rules.refetch} />}
      {!rules.data && rules.error === undefined && <Loading what="alert rules" />}
      {rules.data && rules.data.data.length === 0 && !creating && (
        <Empty>No alert rules yet. Create one here, or from a chart on the Metrics page.</Empty>
      )}
      {rules.data && rules.data.data.length > 0 && (
        <table class="grid" aria-label="Alert rules">
          <tbody>
            {rules.data.data.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td class="muted">{describe(r)}</td>
                <td>{r.severity}</td>
                <td>
                  <label class="check">
                    <input
                      type="checkbox"
                      checked={r.enabled}
                      onChange={(e) =>
                        api('PATCH', `/v2/alerts/rules/${r.id}`, { enabled: e.currentTarget.checked }).then(
                          rules.refetch,
                          (err) => setNote(advice(err)),
                        )
                      }
                    />
                    enabled
                  </label>
                </td>
                <td>
                  <button type="button" onClick={() => setEditing(r)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    onClick={() =>
                      api<AlertTestResult>('POST', `/v2/alerts/rules/${r.id}/test`).then(
                        (res) =>
                          setNote(
                            res.results
                              .map((x) => `${x.channel}: ${x.ok ? 'sent' : (x.error ?? 'failed')}`)
                              .join(', '),
                          ),
                        (err) => setNote(advice(err)),
                      )
                    }
                  >
                    Test
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Events</h2>
      {events.error !== undefined && <ErrorState error={events.error} retry={events.refetch} />}
      {events.data && events.data.data.length === 0 && <Empty>No alert has fired yet.</Empty>}
      {events.data && events.data.data.length > 0 && (
        <table class="grid" aria-label="Alert events">
          <tbody>
            {events.data.data.map((ev) => (
              <tr key={ev.id} class={ev.kind === 'firing' ? 'has-error' : ''}>
                <td>{time(ev.at)}</td>
                <td>{ev.rule_name}</td>
                <td>{ev.kind}</td>
                <td>{ev.severity}</td>
                <td class="n">
                  {number(ev.value)} {ev.comparator} {ev.threshold}
                </td>
                <td>
                  {ev.sample_trace_ids.slice(0, 3).map((t) => (
                    <a key={t} href={`/trace/${t}`} onClick={(e) => onLinkClick(e, `/trace/${t}`)}>
                      {t.slice(0, 8)}{' '}
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
