import { describe, expect, it, vi } from 'vitest';
import { type OutRecord, ProduceBatcher, type ProduceBatcherOptions } from './produce-batcher.js';

const rec = (i: number, size = 10): OutRecord => ({ topic: 't', key: `k${i}`, value: 'x'.repeat(size) });

function harness(overrides: Partial<ProduceBatcherOptions> = {}) {
  const sent: OutRecord[][] = [];
  const pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const batcher = new ProduceBatcher({
    send: (records) =>
      new Promise<void>((resolve, reject) => {
        sent.push(records);
        pending.push({ resolve, reject });
      }),
    lingerMs: 5,
    maxBatchRecords: 100,
    maxBatchBytes: 1_000_000,
    maxPendingBytes: 10_000_000,
    maxInFlight: 1,
    ...overrides,
  });
  return { batcher, sent, pending };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('ProduceBatcher', () => {
  it('tells which records Kafka acknowledged, and not those of a failed batch', async () => {
    const told: OutRecord[][] = [];
    const { batcher, pending } = harness({ maxBatchRecords: 1, maxInFlight: 2, sent: (r) => told.push(r) });
    const ok = batcher.enqueue([rec(1)]);
    const failed = batcher.enqueue([rec(2)]);
    await vi.waitFor(() => expect(pending).toHaveLength(2));
    pending[1]!.reject(new Error('broker down'));
    await expect(failed).rejects.toThrow('broker down');
    expect(told).toEqual([]);
    pending[0]!.resolve();
    await ok;
    expect(told).toEqual([[rec(1)]]);
  });

  it('coalesces concurrent callers into one send after the linger', async () => {
    const { batcher, sent, pending } = harness();
    const a = batcher.enqueue([rec(1)]);
    const b = batcher.enqueue([rec(2), rec(3)]);
    expect(sent).toHaveLength(0);
    await tick(15);
    expect(sent).toEqual([[rec(1), rec(2), rec(3)]]);
    pending[0]!.resolve();
    await expect(Promise.all([a, b])).resolves.toBeDefined();
  });

  it('sends at once when a batch is full, and keeps one caller in one batch', async () => {
    const { batcher, sent, pending } = harness({ maxBatchRecords: 3, maxInFlight: 5 });
    const first = batcher.enqueue([rec(1), rec(2)]);
    const second = batcher.enqueue([rec(3), rec(4)]);
    await tick();
    expect(sent.map((b) => b.map((r) => r.key))).toEqual([
      ['k1', 'k2'],
      ['k3', 'k4'],
    ]);
    for (const p of pending) p.resolve();
    await Promise.all([first, second]);
  });

  it('fails every caller of a failed batch and no one else', async () => {
    const { batcher, pending } = harness({ maxInFlight: 1 });
    const a = batcher.enqueue([rec(1)]);
    await tick(10);
    const b = batcher.enqueue([rec(2)]);
    pending[0]!.reject(new Error('broker down'));
    await expect(a).rejects.toThrow('broker down');
    await tick(10);
    pending[1]!.resolve();
    await expect(b).resolves.toBeUndefined();
  });

  it('keeps at most maxInFlight sends outstanding', async () => {
    const { batcher, sent, pending } = harness({ maxBatchRecords: 1, maxInFlight: 2 });
    const all = [1, 2, 3, 4].map((i) => batcher.enqueue([rec(i)]));
    await tick();
    expect(sent).toHaveLength(2);
    pending[0]!.resolve();
    await tick();
    expect(sent).toHaveLength(3);
    pending[1]!.resolve();
    await tick();
    pending[2]!.resolve();
    await tick();
    pending[3]!.resolve();
    await Promise.all(all);
  });

  it('refuses new records with back-pressure while too many bytes wait for Kafka', async () => {
    const { batcher, pending } = harness({ maxPendingBytes: 100, lingerMs: 0 });
    const held = batcher.enqueue([rec(1, 60)]);
    await expect(batcher.enqueue([rec(2, 60)])).rejects.toMatchObject({
      code: 'TH_KAFKA_BACKPRESSURE',
      retryable: true,
    });
    expect(batcher.pendingBytes).toBeGreaterThan(0);
    pending[0]!.resolve();
    await held;
    expect(batcher.pendingBytes).toBe(0);
  });

  it('flush waits for everything accepted; close refuses what comes after', async () => {
    const { batcher, pending, sent } = harness({ lingerMs: 1_000 });
    const a = batcher.enqueue([rec(1)]);
    const closing = batcher.close();
    await tick();
    expect(sent).toHaveLength(1);
    pending[0]!.resolve();
    await closing;
    await a;
    await expect(batcher.enqueue([rec(2)])).rejects.toMatchObject({ code: 'TH_SHUTTING_DOWN' });
  });

  it('validates its options', () => {
    expect(() => harness({ maxInFlight: 0 })).toThrow(/maxInFlight/);
  });
});
