import { sampleTraces } from './sample-data.js';

/** Calls the public API with the demo project's key; answers status and parsed body. */
export type DemoApi = (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Answer }>;

/** The few fields the demo reads from answers. */
interface Answer {
  id?: string;
  rejected?: number;
  entry_count?: number;
}

export const demoDatasetName = 'demo-golden-answers';

/**
 * Writes the sample project through the public API: ~320 traces (spans, metrics, errors, tags) in
 * batches through `POST /v2/ingest`, and a dataset of good answers. Safe to run again: the traces keep
 * their ids, and the dataset is filled only while it is empty.
 */
export async function writeDemo(
  api: DemoApi,
  options: { nowMs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ traces: number; spans: number; datasetId: string }> {
  const traces = sampleTraces(options.nowMs ?? Date.now());
  const items = traces.flatMap((t) => t.items);
  for (let i = 0; i < items.length; i += 500) {
    const res = await api('POST', '/v2/ingest', { items: items.slice(i, i + 500) });
    if (res.status !== 200 || (res.body.rejected ?? 0) > 0)
      throw new Error(`POST /v2/ingest answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
    options.onProgress?.(Math.min(i + 500, items.length), items.length);
  }
  const dataset = await api('POST', '/v2/datasets', { name: demoDatasetName });
  if (dataset.status >= 300) throw new Error(`POST /v2/datasets answered ${dataset.status}`);
  const datasetId = String(dataset.body.id);
  const current = await api('GET', `/v2/datasets/${datasetId}`);
  if (!((current.body?.entry_count ?? 0) > 0)) {
    for (const t of traces.filter((_, i) => i % 12 === 0).slice(0, 20)) {
      const root = (t.items[0] as { body: { input: unknown; output?: unknown } }).body;
      if (root.output === undefined) continue;
      await api('POST', `/v2/datasets/${datasetId}`, {
        input: JSON.stringify(root.input),
        expected: JSON.stringify(root.output),
        comment: 'from the demo',
      });
    }
  }
  return { traces: traces.length, spans: items.filter((i) => i.type === 'span.create').length, datasetId };
}
