import type { IngestItemInput } from '@tracehouse/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TracehouseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { BatchExporter, type DropEvent, type ExporterOptions, type IngestResult } from './exporter.js';

const item = (n: number, pad = ''): IngestItemInput => ({
  type: 'span.create',
  body: { id: `${n}`, name: `s${n}${pad}` },
});
const idOf = (json: string) => (JSON.parse(json) as { body: { id: string } }).body.id;
const ok = (items: string[]): IngestResult => ({
  accepted: items.length,
  rejected: 0,
  results: items.map((_, index) => ({ index, status: 200 })),
});
const fast = { intervalMs: 5, retryMinMs: 1, retryMaxMs: 5 };

/** An exporter whose sends are recorded; `answer` decides each one (default: all accepted). */
function recording(
  options: ExporterOptions = {},
  answer: (items: string[], call: number) => Promise<IngestResult> | IngestResult = ok,
) {
  const batches: string[][] = [];
  const drops: DropEvent[] = [];
  const logs: { level: 'warn' | 'error'; context: Record<string, unknown>; message: string }[] = [];
  const logger: Logger = {
    warn: (context, message) => logs.push({ level: 'warn', context, message }),
    error: (context, message) => logs.push({ level: 'error', context, message }),
  };
  const exporter = new BatchExporter(
    async (items) => {
      batches.push(items);
      return answer(items, batches.length);
    },
    { ...fast, ...options, onDrop: (event) => drops.push(event) },
    logger,
  );
  return { exporter, batches, drops, logs, sentIds: () => batches.flat().map(idOf) };
}

describe('BatchExporter batching', () => {
  it('sends many items in few batches, never more than the item cap, each item once and in order', async () => {
    const { exporter, batches, sentIds } = recording({ maxBatchItems: 100 });
    for (let n = 0; n < 1_050; n++) exporter.enqueue(item(n));
    await exporter.flush();
    expect(batches.length).toBeLessThanOrEqual(12);
    expect(Math.max(...batches.map((b) => b.length))).toBe(100);
    expect(sentIds()).toEqual([...Array(1_050).keys()].map(String));
    expect(exporter.droppedCount).toBe(0);
  });

  it('never exceeds the byte cap, except for a lone oversized item', async () => {
    const { exporter, batches, sentIds } = recording({ maxBatchBytes: 2_000 });
    for (let n = 0; n < 20; n++) exporter.enqueue(item(n, 'x'.repeat(400)));
    exporter.enqueue(item(20, 'y'.repeat(5_000)));
    await exporter.flush();
    for (const batch of batches) {
      const bytes = batch.reduce((sum, json) => sum + Buffer.byteLength(json), 0);
      if (batch.length > 1) expect(bytes).toBeLessThanOrEqual(2_000);
    }
    expect(batches.at(-1)).toHaveLength(1);
    expect(sentIds()).toHaveLength(21);
  });

  it('sends a partly filled batch once the interval passes, not before', async () => {
    vi.useFakeTimers();
    try {
      const { exporter, batches } = recording({ intervalMs: 1_000, maxBatchItems: 100 });
      for (let n = 0; n < 3; n++) exporter.enqueue(item(n));
      await vi.advanceTimersByTimeAsync(999);
      expect(batches).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(batches.map((b) => b.length)).toEqual([3]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes a snapshot when an item is queued: later changes to its objects are not sent', async () => {
    const { exporter, batches } = recording();
    const meta = { step: 'before' };
    exporter.enqueue({ type: 'span.create', body: { id: '1', name: 'a', meta } });
    meta.step = 'after';
    await exporter.flush();
    expect(JSON.parse(batches[0]![0]!).body.meta).toEqual({ step: 'before' });
  });
});

describe('BatchExporter bounds and drops', () => {
  it('bounds its memory: past the item limit new items are dropped, counted, reported, logged once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { exporter, drops, logs, sentIds } = recording(
      { maxQueueItems: 10, maxBatchItems: 5 },
      async (items) => {
        await gate;
        return ok(items);
      },
    );
    const accepted = [...Array(30).keys()].map((n) => exporter.enqueue(item(n)));
    expect(exporter.queued).toBeLessThanOrEqual(10);
    release();
    await exporter.flush();
    const dropped = accepted.filter((a) => !a).length;
    expect(dropped).toBe(15); // 5 in flight + 10 queued were held
    expect(exporter.droppedCount).toBe(dropped);
    expect(drops).toHaveLength(dropped);
    expect(drops.every((d) => d.reason === 'queue_full' && d.items === 1)).toBe(true);
    expect(logs.filter((l) => l.message.includes('dropped'))).toHaveLength(1);
    expect(sentIds()).toHaveLength(15);
  });

  it('bounds its memory in bytes too', async () => {
    const { exporter, drops } = recording({ maxQueueBytes: 1_000, intervalMs: 60_000 });
    let accepted = 0;
    for (let n = 0; n < 10; n++) if (exporter.enqueue(item(n, 'z'.repeat(300)))) accepted++;
    expect(accepted).toBe(2);
    expect(drops.map((d) => d.reason)).toEqual(Array(8).fill('queue_full'));
    await exporter.shutdown();
  });

  it('drops an item that cannot be encoded instead of throwing into the caller', async () => {
    const { exporter, drops } = recording();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(exporter.enqueue({ type: 'span.create', body: { name: 'x', output: cyclic } })).toBe(false);
    expect(exporter.enqueue({ type: 'span.create', body: { name: 'y', output: 10n } })).toBe(false);
    expect(drops.map((d) => d.reason)).toEqual(['unserializable', 'unserializable']);
    expect(exporter.droppedCount).toBe(2);
  });

  it('a throwing onDrop is logged, not thrown', () => {
    const errors: string[] = [];
    const exporter = new BatchExporter(
      async (items) => ok(items),
      {
        maxQueueItems: 1,
        intervalMs: 60_000,
        onDrop: () => {
          throw new Error('hook bug');
        },
      },
      { warn() {}, error: (_, message) => errors.push(message) },
    );
    exporter.enqueue(item(1));
    expect(exporter.enqueue(item(2))).toBe(false);
    expect(errors).toEqual(['tracehouse: onDrop threw']);
  });

  it('refuses bad options', () => {
    expect(() => new BatchExporter(async (items) => ok(items), { maxQueueItems: 0 })).toThrow(RangeError);
    expect(() => new BatchExporter(async (items) => ok(items), { maxAttempts: Number.NaN })).toThrow(
      /maxAttempts/,
    );
  });
});

describe('BatchExporter retries', () => {
  afterEach(() => vi.useRealTimers());

  it('gives up on a batch after the maximum attempts, counts it and says why', async () => {
    const { exporter, batches, drops, logs } = recording({ maxAttempts: 3 }, () => {
      throw new TracehouseError('down', { status: 503 });
    });
    exporter.enqueue(item(1));
    exporter.enqueue(item(2));
    await exporter.flush();
    expect(batches).toHaveLength(3);
    expect(exporter.droppedCount).toBe(2);
    expect(drops).toEqual([{ reason: 'retries_exhausted', items: 2, error: expect.any(TracehouseError) }]);
    expect(logs.filter((l) => l.message === 'tracehouse: export failed, retrying')).toHaveLength(2);
  });

  it('retries network errors, then delivers', async () => {
    const { exporter, batches, sentIds } = recording({}, (items, call) => {
      if (call === 1) throw new TracehouseError('ECONNRESET', { status: 0 });
      return ok(items);
    });
    exporter.enqueue(item(1));
    await exporter.flush();
    expect(batches).toHaveLength(2);
    expect(sentIds()).toEqual(['1', '1']); // the same id both times: the server keeps one
    expect(exporter.droppedCount).toBe(0);
  });

  it('does not retry a refused request (4xx) nor items refused on their own', async () => {
    const refusing = recording({}, () => {
      throw new TracehouseError('bad', { status: 400 });
    });
    refusing.exporter.enqueue(item(1));
    await refusing.exporter.flush();
    expect(refusing.batches).toHaveLength(1);
    expect(refusing.drops.map((d) => [d.reason, d.items])).toEqual([['refused', 1]]);

    const partial = recording({}, (items) => ({
      accepted: items.length - 1,
      rejected: 1,
      results: items.map((_, index) =>
        index === 1
          ? { index, status: 404, error: { type: 'NotFoundError', message: 'Span not found' } }
          : { index, status: 200 },
      ),
    }));
    for (let n = 0; n < 3; n++) partial.exporter.enqueue(item(n));
    await partial.exporter.flush();
    expect(partial.batches).toHaveLength(1);
    expect(partial.exporter.droppedCount).toBe(1);
    expect(partial.drops[0]).toMatchObject({
      reason: 'refused',
      items: 1,
      results: [{ index: 1, status: 404 }],
    });
    expect(partial.logs[0]!.context).toMatchObject({ reason: 'refused', results: [{ index: 1 }] });
  });

  it('splits a batch the server finds too large (413) and drops only what still does not fit', async () => {
    const { exporter, sentIds, drops } = recording({ maxBatchItems: 8 }, (items) => {
      if (items.length > 2 || items.some((json) => idOf(json) === '5')) {
        throw new TracehouseError('too large', { status: 413 });
      }
      return ok(items);
    });
    for (let n = 0; n < 8; n++) exporter.enqueue(item(n));
    await exporter.flush();
    const delivered = new Set(sentIds());
    expect(exporter.droppedCount).toBe(1);
    expect(drops[0]).toMatchObject({ reason: 'refused', items: 1 });
    for (const id of ['0', '1', '2', '3', '4', '6', '7']) expect(delivered.has(id)).toBe(true);
  });

  it('waits as long as Retry-After asks before trying again', async () => {
    vi.useFakeTimers();
    const { exporter, batches } = recording({ retryMinMs: 10, retryMaxMs: 10_000 }, (items, call) => {
      if (call === 1) throw new TracehouseError('busy', { status: 429, retryAfterSeconds: 2 });
      return ok(items);
    });
    exporter.enqueue(item(1));
    const flushed = exporter.flush();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await flushed;
    expect(batches).toHaveLength(2);
  });
});

describe('BatchExporter flush and shutdown', () => {
  it('flush waits for the batch in flight and everything queued before the call', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { exporter, sentIds } = recording({ maxBatchItems: 2 }, async (items, call) => {
      if (call === 1) await gate;
      return ok(items);
    });
    for (let n = 0; n < 5; n++) exporter.enqueue(item(n));
    let flushed = false;
    const flushing = exporter.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(sentIds()).toEqual(['0', '1', '2', '3', '4']);
    expect(exporter.queued).toBe(0);
  });

  it('shutdown sends everything queued, then refuses new items and counts them', async () => {
    const { exporter, sentIds, drops } = recording({ intervalMs: 60_000 });
    for (let n = 0; n < 7; n++) exporter.enqueue(item(n));
    await exporter.shutdown();
    expect(sentIds()).toHaveLength(7);
    expect(exporter.enqueue(item(99))).toBe(false);
    expect(drops.map((d) => d.reason)).toEqual(['shut_down']);
  });

  it('keeps no timer alive on its own: its interval timer is unref()ed', () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { exporter } = recording({ intervalMs: 60_000 });
    exporter.enqueue(item(1));
    expect(exporter.queued).toBe(1);
    expect(timers()).toBe(before);
  });
});
