import { describe, expect, it } from 'vitest';
import { BatchBuffer, commitOffsets, type Pending, Saturation } from './batch-buffer.js';

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
    now = 400;
    b.add(msg(1, 1));
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

  it('waits up to maxDelayBehindMs while writing back to back, and no longer', () => {
    let now = 0;
    const b = new BatchBuffer(
      { maxRows: 1_000, maxBytes: 1e9, maxDelayMs: 500, maxDelayBehindMs: 2000 },
      () => now,
    );
    const arriving = (from: number, to: number) => {
      for (now = from; now <= to; now += 100) b.add(msg(0, now));
      now -= 100;
    };
    // Back to back: each batch is what came during the write before it.
    for (let t = -6_000; t < 2_000; t += 1_000) b.noteWrite(t, 1_000);
    arriving(2_000, 3_900);
    expect([b.saturated, b.behind, b.due()]).toEqual([true, false, false]);
    now = 4_000;
    expect(b.due()).toBe(true); // at most maxDelayBehindMs
    b.take();
    arriving(4_000, 4_600);
    now = 4_849;
    expect(b.due()).toBe(false);
    now = 4_850; // nothing for half the short delay: the load stopped, so no longer batch to wait for
    expect(b.due()).toBe(true);
    b.take();
    // Load fell: writes take a tenth of the time, and the short delay applies again.
    for (let t = 5_000; t <= 11_000; t += 1_000) b.noteWrite(t, 100);
    arriving(11_000, 11_500);
    expect([b.saturated, b.due()]).toEqual([false, true]);
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

describe('Saturation', () => {
  const writes = (s: Saturation, from: number, shares: number[], cycleMs = 1_000) =>
    shares.map((share, i) => {
      s.noteWrite(from + i * cycleMs, share * cycleMs);
      return s.saturated;
    });

  it('is not saturated by writes taking half the time, nor by one slow write among them', () => {
    const s = new Saturation();
    expect(writes(s, 0, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 0.5, 1, 0.5])).not.toContain(true);
  });

  it('is saturated by back-to-back writes, stays so at 80 %, and leaves at the 55 % of half the maximum', () => {
    const s = new Saturation();
    expect(writes(s, 0, [1, 1, 1, 1, 1, 1, 1])).toEqual([false, false, false, false, false, true, true]);
    expect(writes(s, 7_000, [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8])).not.toContain(false);
    // As after a start whose first writes were slow: the load is half the maximum, and the longer
    // delay gives it no larger batches (records keep coming too sparsely), so writing stays at 55 %.
    const falling = writes(
      s,
      15_000,
      Array.from({ length: 14 }, () => 0.55),
    );
    expect([falling[0], falling.at(-1)]).toEqual([true, false]);
  });

  it('is not saturated at half the maximum under a steady load, whose slow writes make the next one due at once', () => {
    // A batch is due 400 ms after the write before it began; writes take 320 ms, now and then 800, and
    // the batch after a slow one starts as it ends. Each write: [ms since the last start, its ms].
    const s = new Saturation();
    const cycle = [
      [420, 320],
      [420, 320],
      [420, 800],
      [820, 320],
      [420, 320],
      [420, 800],
      [820, 320],
    ];
    let at = 0;
    const saturated = [...cycle, ...cycle, ...cycle].map(([gap, ms]) => {
      at += gap!;
      s.noteWrite(at, ms!);
      return s.saturated;
    });
    expect(saturated).not.toContain(true);
  });

  it('takes writes back to back for saturation only when they average well over the short delay', () => {
    // Under a 300 ms delay, writes of 330 ms are back to back (each next batch is due as one ends)...
    const short = new Saturation(600);
    const nearTheDelay = Array.from({ length: 12 }, () => 0.95);
    expect(writes(short, 0, nearTheDelay, 350)).not.toContain(true);
    // ...and so are writes of a second, which do saturate it, and it leaves as before.
    const long = new Saturation(600);
    expect(writes(long, 0, [1, 1, 1, 1, 1, 1], 1_000)).toEqual([false, false, false, false, false, true]);
    const quieter = Array.from({ length: 8 }, () => 0.3);
    expect(writes(long, 6_000, quieter, 1_000).at(-1)).toBe(false);
  });

  it('is given twice its short delay by the buffer: writes of 330 ms under 300 keep the short delay', () => {
    const limits = { maxRows: 100, maxBytes: 1 << 20, maxDelayMs: 300, maxDelayBehindMs: 2_000 };
    const [near, over] = [new BatchBuffer(limits), new BatchBuffer(limits)];
    for (let i = 0; i < 12; i++) near.noteWrite(i * 350, 330);
    for (let i = 0; i < 12; i++) over.noteWrite(i * 650, 630);
    expect([near.delayMode, over.delayMode]).toEqual(['short', 'saturated']);
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
