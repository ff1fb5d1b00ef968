import { describe, expect, it } from 'vitest';
import { BatchBuffer, commitOffsets, type Pending } from './batch-buffer.js';

const msg = (partition: number, offset: number, size = 10): Pending => ({
  topic: 't',
  partition,
  offset: String(offset),
  key: null,
  value: Buffer.alloc(size),
});

describe('BatchBuffer', () => {
  it('is due when full by rows', () => {
    const b = new BatchBuffer({ maxRows: 2, maxBytes: 1e9, maxDelayMs: 1e9 });
    b.add(msg(0, 1));
    expect(b.due()).toBe(false);
    b.add(msg(0, 2));
    expect(b.due()).toBe(true);
    expect(b.take()).toHaveLength(2);
    expect(b.due()).toBe(false);
  });

  it('is due when full by bytes', () => {
    const b = new BatchBuffer({ maxRows: 100, maxBytes: 25, maxDelayMs: 1e9 });
    b.add(msg(0, 1, 20));
    expect(b.full()).toBe(false);
    b.add(msg(0, 2, 20));
    expect(b.full()).toBe(true);
  });

  it('is due when the oldest message waited maxDelayMs', () => {
    let now = 0;
    const b = new BatchBuffer({ maxRows: 100, maxBytes: 1e9, maxDelayMs: 500 }, () => now);
    expect(b.due()).toBe(false);
    b.add(msg(0, 1));
    now = 499;
    expect(b.due()).toBe(false);
    now = 500;
    expect(b.due()).toBe(true);
  });

  it('waits up to maxDelayBehindMs while a partition has records left in Kafka, and no longer', () => {
    let now = 0;
    const b = new BatchBuffer(
      { maxRows: 100, maxBytes: 1e9, maxDelayMs: 500, maxDelayBehindMs: 2000 },
      () => now,
    );
    b.add(msg(0, 1));
    b.noteFetch('t', 0, 0, 900);
    b.noteFetch('t', 2, 40, 100); // records left by a burst, but fresh ones: keeping up
    expect(b.behind).toBe(false);
    b.noteFetch('t', 1, 40, 900); // records left, and what came had waited: a backlog
    now = 500;
    expect([b.behind, b.due()]).toEqual([true, false]);
    now = 2000;
    expect(b.due()).toBe(true);
    now = 600;
    b.noteFetch('t', 1, 0, 900); // caught up: the short delay applies again
    expect([b.behind, b.due()]).toEqual([false, true]);
    b.noteFetch('t', 2, 5, 5_000);
    b.discard(); // a reassignment forgets lags of partitions this writer may no longer own
    expect(b.behind).toBe(false);
  });

  it('is due when full, however far behind', () => {
    const b = new BatchBuffer({ maxRows: 2, maxBytes: 1e9, maxDelayMs: 500, maxDelayBehindMs: 60_000 });
    b.noteFetch('t', 0, 1_000, 10_000);
    b.add(msg(0, 1));
    b.add(msg(0, 2));
    expect(b.due()).toBe(true);
  });

  it('refuses a shorter delay behind than when keeping up', () => {
    expect(
      () => new BatchBuffer({ maxRows: 1, maxBytes: 1, maxDelayMs: 500, maxDelayBehindMs: 100 }),
    ).toThrow();
  });
});

describe('commitOffsets', () => {
  it('commits the next offset per partition, however the batch was ordered', () => {
    expect(commitOffsets([msg(0, 5), msg(1, 9), msg(0, 7), msg(0, 6)])).toEqual([
      { topic: 't', partition: 0, offset: '8' },
      { topic: 't', partition: 1, offset: '10' },
    ]);
  });
});
