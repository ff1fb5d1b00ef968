import type { IngestItemInput } from '@tracehouse/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Tracehouse } from '../client.js';
import { TracehouseError } from '../errors.js';
import { fakeServer } from '../testing/fake-server.js';
import { BatchExporter, type IngestResult } from './exporter.js';

const item = (n: number): IngestItemInput => ({ type: 'span.create', body: { id: `${n}`, name: `s${n}` } });
const ok = (items: IngestItemInput[]): IngestResult => ({ accepted: items.length, rejected: 0, results: [] });
const fast = { intervalMs: 5, retryMinMs: 1, retryMaxMs: 5 };

describe('BatchExporter', () => {
  it('sends many items in few batches, never more than the item cap per batch, all of them once', async () => {
    const batches: IngestItemInput[][] = [];
    const exporter = new BatchExporter(
      async (items) => {
        batches.push(items);
        return ok(items);
      },
      { ...fast, maxBatchItems: 100 },
    );
    for (let n = 0; n < 1_050; n++) exporter.enqueue(item(n));
    await exporter.flush();
    expect(batches.length).toBeLessThanOrEqual(12);
    expect(Math.max(...batches.map((b) => b.length))).toBe(100);
    const sent = batches.flat().map((i) => ('body' in i && 'id' in i.body ? i.body.id : ''));
    expect(sent).toEqual([...Array(1_050).keys()].map(String));
    expect(exporter.droppedCount).toBe(0);
  });

  it('bounds its memory: past the queue limit items are dropped, counted and reported', async () => {
    const reported: [string, number][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const exporter = new BatchExporter(
      async (items) => {
        await gate;
        return ok(items);
      },
      { ...fast, maxQueueItems: 10, maxBatchItems: 5, onDrop: (reason, n) => reported.push([reason, n]) },
    );
    const accepted = [...Array(30).keys()].map((n) => exporter.enqueue(item(n)));
    expect(exporter.queued).toBeLessThanOrEqual(10);
    release();
    await exporter.flush();
    const dropped = accepted.filter((a) => !a).length;
    expect(dropped).toBeGreaterThan(0);
    expect(exporter.droppedCount).toBe(dropped);
    expect(reported.every(([reason]) => reason === 'queue full')).toBe(true);
  });

  it('gives up on a batch after the maximum attempts and counts it; refused items are counted too', async () => {
    let calls = 0;
    const failing = new BatchExporter(
      async () => {
        calls++;
        throw new TracehouseError('down', { status: 503 });
      },
      { ...fast, maxAttempts: 3 },
    );
    failing.enqueue(item(1));
    failing.enqueue(item(2));
    await failing.flush();
    expect(calls).toBe(3);
    expect(failing.droppedCount).toBe(2);

    const refusing = new BatchExporter(async () => {
      throw new TracehouseError('bad', { status: 422 });
    }, fast);
    refusing.enqueue(item(1));
    await refusing.flush();
    expect(refusing.droppedCount).toBe(1); // a 4xx is not retried

    const partial = new BatchExporter(
      async (items) => ({ accepted: items.length - 1, rejected: 1, results: [] }),
      fast,
    );
    partial.enqueue(item(1));
    partial.enqueue(item(2));
    await partial.flush();
    expect(partial.droppedCount).toBe(1);
  });

  it('shutdown sends everything queued, then refuses new items', async () => {
    const sent: IngestItemInput[] = [];
    const exporter = new BatchExporter(
      async (items) => {
        sent.push(...items);
        return ok(items);
      },
      { ...fast, intervalMs: 60_000 },
    );
    for (let n = 0; n < 7; n++) exporter.enqueue(item(n));
    await exporter.shutdown();
    expect(sent).toHaveLength(7);
    expect(exporter.enqueue(item(99))).toBe(false);
  });
});

describe('Tracehouse export over HTTP', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('retries when the server answers 503 with Retry-After, then delivers every span exactly once', async () => {
    let answered = 0;
    const server = await fakeServer((req) => {
      answered++;
      if (answered <= 2)
        return {
          status: 503,
          body: { type: 'ServiceUnavailableError', message: 'busy', detail: null },
          headers: { 'retry-after': '0' },
        };
      const items = (req.body as { items: unknown[] }).items;
      return { status: 200, body: { accepted: items.length, rejected: 0, results: [] } };
    });
    close = server.close;
    const th = new Tracehouse({
      baseUrl: server.url,
      apiKey: 'k',
      exporter: { ...fast, maxBatchItems: 1_000 },
    });
    await th.span('root', async () => {
      await th.span('child', async (span) => {
        span.addMetric('quality_score', 5);
      });
    });
    await th.shutdown();
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual(
      Array(3).fill(['POST', '/v2/ingest', 'Bearer k']),
    );
    const delivered = (server.requests.at(-1)!.body as { items: { type: string }[] }).items;
    expect(delivered.map((i) => i.type)).toEqual(['span.create', 'metric.create', 'span.create']);
    expect(th.droppedCount).toBe(0);
  });
});
