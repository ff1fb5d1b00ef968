import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { MetricView, OpperList, SpanView } from '../api/types';
import { cost, duration, number, time } from '../format';
import { ErrorState, Loading } from '../ui/states';
import { useQuery } from '../use-query';
import { JsonView } from './json-view';
import { AddMetric, CopyLink, EditMetadata, SaveToDataset } from './span-actions';

/** Everything about one span, and what can be done to it. Esc (or ×) closes it. */
export function Inspector({ spanId, onClose }: { spanId: string; onClose: () => void }) {
  const span = useQuery(`span:${spanId}`, () => api<SpanView>('GET', `/v2/spans/${spanId}`));
  const metrics = useQuery(`metrics:${spanId}`, () =>
    api<OpperList<MetricView>>('GET', `/v2/spans/${spanId}/metrics?limit=100`),
  );
  // Metrics added here show at once; the list from the server takes over when it has them.
  const [added, setAdded] = useState<MetricView[]>([]);
  const [meta, setMeta] = useState<Record<string, unknown> | null | undefined>(undefined);
  const listed = metrics.data?.data ?? [];
  const allMetrics = [
    ...listed,
    ...added.filter((a) => a.span_id === spanId && !listed.some((m) => m.id === a.id)),
  ];

  return (
    <aside class="inspector" aria-label="Span inspector">
      <header>
        <h2>{span.data?.name ?? 'Span'}</h2>
        <button type="button" class="close" aria-label="Close inspector (Esc)" onClick={onClose}>
          ×
        </button>
      </header>
      {span.error !== undefined && <ErrorState error={span.error} retry={span.refetch} />}
      {span.data === undefined && span.error === undefined && <Loading what="the span" />}
      {span.data && (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <span class={`status ${span.data.status}`}>{span.data.status}</span>
            </dd>
            <dt>Duration</dt>
            <dd>{duration(span.data.duration_ms)}</dd>
            <dt>Start</dt>
            <dd>{time(span.data.start_time)}</dd>
            <dt>Type</dt>
            <dd>{span.data.type ?? '—'}</dd>
            <dt>Model</dt>
            <dd>{span.data.model ?? '—'}</dd>
            <dt>Tokens</dt>
            <dd>
              {number(span.data.usage.prompt_tokens)} in · {number(span.data.usage.completion_tokens)} out ·{' '}
              {number(span.data.usage.total_tokens)} total
            </dd>
            <dt>Cost</dt>
            <dd>{cost(span.data.cost)}</dd>
            <dt>Span id</dt>
            <dd class="mono">{span.data.id}</dd>
          </dl>
          {span.data.error && (
            <div class="field error-box" role="note">
              <h3>Error</h3>
              <pre>{span.data.error}</pre>
            </div>
          )}
          {Object.keys(span.data.tags).length > 0 && (
            <div class="field">
              <h3>Tags</h3>
              {Object.entries(span.data.tags).map(([k, v]) => (
                <span class="chip small" key={k}>
                  {k}={v}
                </span>
              ))}
            </div>
          )}
          <JsonView label="Input" value={span.data.input} />
          <JsonView label="Output" value={span.data.output} />
          <JsonView label="Metadata" value={meta === undefined ? span.data.meta : meta} />
          <div class="field">
            <h3>Metrics</h3>
            {metrics.error !== undefined && <ErrorState error={metrics.error} retry={metrics.refetch} />}
            {allMetrics.length === 0 && metrics.data && <p class="muted">No metrics yet: add one below.</p>}
            {allMetrics.length > 0 && (
              <table class="grid compact" aria-label="Metrics">
                <tbody>
                  {allMetrics.map((m) => (
                    <tr key={m.id} data-dimension={m.dimension}>
                      <td>{m.dimension}</td>
                      <td class="n">{number(m.value)}</td>
                      <td class="muted">{m.comment ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <AddMetric spanId={spanId} onAdded={(m) => setAdded((list) => [...list, m])} />
          <EditMetadata
            key={spanId}
            spanId={spanId}
            meta={span.data.meta}
            onSaved={(patch) => setMeta({ ...(meta ?? span.data?.meta ?? {}), ...patch })}
          />
          <SaveToDataset spanId={spanId} />
          <CopyLink traceId={span.data.trace_id} spanId={spanId} />
        </>
      )}
    </aside>
  );
}
