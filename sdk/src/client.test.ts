import { afterEach, describe, expect, it } from 'vitest';
import { Tracehouse, type TracehouseOptions } from './client.js';
import type { DropEvent } from './export/exporter.js';
import { acceptAll, fakeServer, type Recorded, type Respond } from './testing/fake-server.js';

interface WireItem {
  type: string;
  id?: string;
  span_id?: string;
  body: { id?: string; name?: string; parent_id?: string; trace_id?: string };
}
const itemsOf = (r: Recorded) => (r.body as { items: WireItem[] }).items;
const fast = { intervalMs: 5, retryMinMs: 1, retryMaxMs: 5 };

describe('Tracehouse tracing over HTTP', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  async function connect(respond: Respond, options: Partial<TracehouseOptions> = {}) {
    const server = await fakeServer(respond);
    close = server.close;
    const th = new Tracehouse({ baseUrl: server.url, apiKey: 'k', ...fast, ...options });
    return { th, requests: server.requests };
  }

  it('retries a 503 with Retry-After, then delivers: same ids each attempt, nothing lost or doubled', async () => {
    let answered = 0;
    const { th, requests } = await connect((req) => {
      answered++;
      if (answered <= 2) {
        return {
          status: 503,
          body: { type: 'ServiceUnavailableError', message: 'busy', detail: null, code: 'TH_OVERLOADED' },
          headers: { 'retry-after': '1' }, // capped to retryMaxMs (5 ms) here
        };
      }
      return acceptAll(req);
    });
    await th.span('root', async () => {
      await th.span('child', async (span) => {
        span.addMetric('quality_score', 5);
      });
    });
    await th.flush();
    expect(requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual(
      Array(3).fill(['POST', '/v2/ingest', 'Bearer k']),
    );
    // The server would store by id: three attempts carry the very same ids, so one copy each.
    const ids = requests.map((r) => itemsOf(r).map((i) => i.body.id ?? i.id));
    expect(ids[0]).toEqual(ids[2]);
    expect(new Set(ids[2]).size).toBe(3);
    expect(itemsOf(requests[2]!).map((i) => i.type)).toEqual(['span.create', 'metric.create', 'span.create']);
    expect(th.droppedCount).toBe(0);
  });

  it('sends 250 spans in a few requests, never above the item cap, each span once', async () => {
    const { th, requests } = await connect(acceptAll, { maxBatchItems: 100 });
    await th.span('root', () =>
      Promise.all([...Array(250).keys()].map((n) => th.span(`step-${n}`, async () => n))),
    );
    await th.flush();
    expect(requests.length).toBeGreaterThanOrEqual(3);
    expect(requests.length).toBeLessThanOrEqual(6);
    expect(requests.every((r) => itemsOf(r).length <= 100)).toBe(true);
    const spans = requests.flatMap(itemsOf).map((i) => i.body);
    expect(spans).toHaveLength(251);
    expect(new Set(spans.map((s) => s.id)).size).toBe(251);
    const root = spans.find((s) => s.name === 'root')!;
    expect(spans.filter((s) => s.parent_id === root.id)).toHaveLength(250);
    expect(spans.every((s) => s.trace_id === root.id)).toBe(true);
  });

  it('reports items the server refuses to onDrop and the logger, grouped options included', async () => {
    const drops: DropEvent[] = [];
    const warnings: Record<string, unknown>[] = [];
    const { th } = await connect(
      (req) => {
        const items = itemsOf(req);
        const results = items.map((item, index) =>
          item.type === 'metric.create'
            ? { index, status: 404, error: { type: 'NotFoundError', message: 'Span not found' } }
            : { index, status: 200 },
        );
        return { status: 200, body: { accepted: items.length - 1, rejected: 1, results } };
      },
      {
        logger: { warn: (context) => warnings.push(context), error() {} },
        exporter: { intervalMs: 60_000, onDrop: (event) => drops.push(event) },
      },
    );
    const span = th.startSpan('orphan-metric');
    span.end();
    span.addMetric('latency_ms', 12);
    await th.shutdown();
    expect(th.droppedCount).toBe(1);
    expect(drops).toEqual([
      {
        reason: 'refused',
        items: 1,
        results: [{ index: 1, status: 404, error: { type: 'NotFoundError', message: 'Span not found' } }],
      },
    ]);
    expect(warnings).toMatchObject([{ reason: 'refused', items: 1, dropped_total: 1 }]);
  });

  it('never breaks the traced code: an output it cannot encode drops the span, the result still returns', async () => {
    const { th, requests } = await connect(acceptAll);
    const cyclic: Record<string, unknown> = { ok: true };
    cyclic.self = cyclic;
    await expect(th.span('returns-cycle', () => cyclic)).resolves.toBe(cyclic);
    await expect(th.span('fine', () => cyclic, { recordOutput: false })).resolves.toBe(cyclic);
    await th.shutdown();
    expect(th.droppedCount).toBe(1);
    expect(requests.flatMap(itemsOf).map((i) => i.body.name)).toEqual(['fine']);
  });

  it('shutdown sends what is buffered at once, without waiting for the interval', async () => {
    const { th, requests } = await connect(acceptAll, { intervalMs: 60_000 });
    for (let n = 0; n < 5; n++) await th.span(`s${n}`, () => n);
    expect(th.queuedCount).toBe(5);
    expect(requests).toHaveLength(0);
    await th.shutdown();
    expect(requests.map((r) => itemsOf(r).length)).toEqual([5]);
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    expect(th.queuedCount).toBe(0);
  });
});
