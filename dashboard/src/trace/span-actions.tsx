import { useState } from 'preact/hooks';
import { advice, api } from '../api/client';
import type { MetricView } from '../api/types';

type Status = { ok: boolean; text: string } | null;

function Feedback({ status }: { status: Status }) {
  if (!status) return null;
  return (
    <p class={status.ok ? 'note ok' : 'note error'} role={status.ok ? 'status' : 'alert'}>
      {status.text}
    </p>
  );
}

/** `POST /v2/spans/{id}/metrics`; the new metric is shown at once (the write lands moments later). */
export function AddMetric({ spanId, onAdded }: { spanId: string; onAdded: (m: MetricView) => void }) {
  const [status, setStatus] = useState<Status>(null);
  return (
    <form
      class="action"
      aria-label="Add a metric"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const data = new FormData(form);
        const value = Number(data.get('value'));
        if (!Number.isFinite(value)) return setStatus({ ok: false, text: 'The value must be a number.' });
        try {
          const metric = await api<MetricView>('POST', `/v2/spans/${spanId}/metrics`, {
            dimension: String(data.get('dimension')),
            value,
            comment: String(data.get('comment') ?? '') || null,
          });
          onAdded(metric);
          form.reset();
          setStatus({ ok: true, text: `Added ${metric.dimension} = ${metric.value}.` });
        } catch (err) {
          setStatus({ ok: false, text: advice(err) });
        }
      }}
    >
      <h3>Add a metric</h3>
      <input name="dimension" aria-label="Metric dimension" placeholder="dimension" required />
      <input name="value" aria-label="Metric value" placeholder="value" required inputMode="decimal" />
      <input name="comment" aria-label="Metric comment" placeholder="comment (optional)" />
      <button type="submit">Add</button>
      <Feedback status={status} />
    </form>
  );
}

/** `PATCH /v2/spans/{id}` with `meta`: keys merge into what the span has; `null` removes a key. */
export function EditMetadata({
  spanId,
  meta,
  onSaved,
}: {
  spanId: string;
  meta: Record<string, unknown> | null;
  onSaved: (meta: Record<string, unknown>) => void;
}) {
  const [text, setText] = useState(JSON.stringify(meta ?? {}, null, 2));
  const [status, setStatus] = useState<Status>(null);
  return (
    <form
      class="action"
      aria-label="Edit metadata"
      onSubmit={async (e) => {
        e.preventDefault();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return setStatus({ ok: false, text: 'Metadata must be a JSON object, e.g. {"customer": "acme"}.' });
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          return setStatus({ ok: false, text: 'Metadata must be a JSON object.' });
        try {
          await api('PATCH', `/v2/spans/${spanId}`, { meta: parsed });
          onSaved(parsed as Record<string, unknown>);
          setStatus({ ok: true, text: 'Metadata saved.' });
        } catch (err) {
          setStatus({ ok: false, text: advice(err) });
        }
      }}
    >
      <h3>Edit metadata</h3>
      <textarea
        aria-label="Metadata JSON"
        rows={4}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit">Save metadata</button>
      <Feedback status={status} />
    </form>
  );
}

/** `POST /v2/spans/{id}/save_examples`: the span's input and output become a dataset entry. */
export function SaveToDataset({ spanId }: { spanId: string }) {
  const [status, setStatus] = useState<Status>(null);
  return (
    <form
      class="action"
      aria-label="Save to a dataset"
      onSubmit={async (e) => {
        e.preventDefault();
        const name = String(new FormData(e.currentTarget).get('dataset') ?? '').trim();
        try {
          const saved = await api<{ dataset_id: string }>('POST', `/v2/spans/${spanId}/save_examples`, {
            dataset_name: name || null,
          });
          setStatus({ ok: true, text: `Saved to dataset ${name || saved.dataset_id}.` });
        } catch (err) {
          setStatus({ ok: false, text: advice(err) });
        }
      }}
    >
      <h3>Save to a dataset</h3>
      <input name="dataset" aria-label="Dataset name" placeholder="dataset name (default: the span's)" />
      <button type="submit">Save</button>
      <Feedback status={status} />
    </form>
  );
}

/** The span's own URL (this trace, this span selected), to paste into a ticket or chat. */
export function CopyLink({ traceId, spanId }: { traceId: string; spanId: string }) {
  const [status, setStatus] = useState<Status>(null);
  const link = `${location.origin}/trace/${traceId}?span=${spanId}`;
  return (
    <div class="action">
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(link);
            setStatus({ ok: true, text: 'Link copied.' });
          } catch {
            setStatus({ ok: true, text: `Copy this link: ${link}` });
          }
        }}
      >
        Copy link to span
      </button>
      <Feedback status={status} />
    </div>
  );
}
