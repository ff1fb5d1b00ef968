import { AppError } from '@tracehouse/shared';
import { createLogger } from '@tracehouse/shared/node';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { ConsumerLoop } from './consumer-loop.js';
import { BatchBuffer, type Pending } from './domain/batch-buffer.js';

/** Just enough of a kafkajs consumer to drive the loop by hand and record what it commits. */
function fakeConsumer() {
  const calls: string[] = [];
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const listeners = new Map<string, (() => void)[]>();
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (event: string, listener: () => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => {};
    },
    subscribe: async () => {},
    run: async (config: { eachBatch: (p: EachBatchPayload) => Promise<void> }) => {
      eachBatch = config.eachBatch;
    },
    commitOffsets: async (offsets: { partition: number; offset: string }[]) => {
      calls.push(`commit ${offsets.map((o) => `${o.partition}:${o.offset}`).join(',')}`);
    },
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    disconnect: async () => void calls.push('disconnect'),
  } as unknown as Consumer;
  /** Messages produced `ageMs` ago (the last fetch left `lag` records in Kafka). */
  const deliver = (partition: number, offsets: number[], lag = 0, ageMs = 0) =>
    eachBatch!({
      batch: {
        topic: 'spans',
        partition,
        messages: offsets.map((o) => ({
          offset: String(o),
          key: null,
          value: Buffer.from('{}'),
          timestamp: String(Date.now() - ageMs),
        })),
        offsetLag: () => String(lag),
      },
      heartbeat: async () => {},
    } as unknown as EachBatchPayload);
  const join = () => {
    for (const listener of listeners.get('consumer.group_join') ?? []) listener();
  };
  return { consumer, calls, deliver, join };
}

const logger = createLogger({ name: 'test', level: 'silent' });

/** What every loop here shares: one topic, a silent log, retries a millisecond or two apart. */
const loopDefaults = { topics: ['spans'], logger, retryMinMs: 1, retryMaxMs: 2 };

/** A write's result when every item was stored as a span. */
const writtenAll = (items: Pending[]) => ({
  spans: items.length,
  metrics: 0,
  entries: 0,
  traces: 0,
  loadedTraces: 0,
  deadLetters: 0,
});

describe('ConsumerLoop', () => {
  it('commits only after the write succeeded, retrying a failed write with consumption paused', async () => {
    const { consumer, calls, deliver } = fakeConsumer();
    let failures = 2;
    const written: Pending[][] = [];
    const loop = new ConsumerLoop({
      ...loopDefaults,
      consumer,
      buffer: new BatchBuffer({ maxRows: 3, maxBytes: 1e9, maxDelayMs: 60_000 }),
      write: async (items) => {
        calls.push(`write ${items.length}`);
        if (failures-- > 0) throw new AppError('TH_CLICKHOUSE_UNAVAILABLE', 'down', { retryable: true });
        written.push(items);
        return writtenAll(items);
      },
    });
    await loop.start();
    await deliver(0, [10, 11, 12]);
    expect(calls).toEqual(['write 3', 'pause', 'write 3', 'write 3', 'resume', 'commit 0:13']);
    expect(written).toHaveLength(1);
    await loop.stop();
  });

  /** A loop of three-message batches that logs what it prepares and writes beside the consumer's calls. */
  async function preparingLoop() {
    const { consumer, calls, deliver } = fakeConsumer();
    const loop = new ConsumerLoop({
      ...loopDefaults,
      consumer,
      buffer: new BatchBuffer({ maxRows: 3, maxBytes: 1e9, maxDelayMs: 60_000 }),
      prepare: (item) => void calls.push(`prepare ${item.offset}`),
      write: async (items) => {
        calls.push(`write ${items.map((i) => i.offset).join(',')}`);
        return writtenAll(items);
      },
    });
    await loop.start();
    return { loop, calls, deliver };
  }

  it('prepares each message as it arrives, before the batch holding it is due', async () => {
    const { loop, calls, deliver } = await preparingLoop();
    await deliver(0, [10, 11]);
    expect(calls).toEqual(['prepare 10', 'prepare 11']);
    await deliver(0, [12]);
    expect(calls).toEqual(['prepare 10', 'prepare 11', 'prepare 12', 'write 10,11,12', 'commit 0:13']);
    await loop.stop();
  });

  it('leaves messages to their write while the writer is behind (its batches wait the longer delay)', async () => {
    const { loop, calls, deliver } = await preparingLoop();
    // This fetch shows the backlog (records left in Kafka, the newest already past the delay)...
    await deliver(0, [10, 11], 500, 120_000);
    // ...so what the next one brings waits in the buffer as it came, and is decoded when written.
    await deliver(0, [12], 500, 120_000);
    expect(calls).toEqual(['prepare 10', 'prepare 11', 'write 10,11,12', 'commit 0:13']);
    await loop.stop();
  });

  it('on stop writes and commits what it holds, then leaves the group', async () => {
    const { consumer, calls, deliver } = fakeConsumer();
    const loop = new ConsumerLoop({
      ...loopDefaults,
      consumer,
      buffer: new BatchBuffer({ maxRows: 100, maxBytes: 1e9, maxDelayMs: 60_000 }),
      write: async (items) => {
        calls.push(`write ${items.length}`);
        return writtenAll(items);
      },
    });
    await loop.start();
    await deliver(0, [5, 6]);
    await deliver(1, [7]);
    expect(calls).toEqual([]);
    await loop.stop();
    expect(calls).toEqual(['pause', 'write 3', 'commit 0:7,1:8', 'disconnect']);
  });

  it('gives a batch that keeps failing for good to the dead-letter side, then commits and goes on', async () => {
    const { consumer, calls, deliver } = fakeConsumer();
    const givenUp: string[] = [];
    const loop = new ConsumerLoop({
      ...loopDefaults,
      consumer,
      buffer: new BatchBuffer({ maxRows: 2, maxBytes: 1e9, maxDelayMs: 1e9 }),
      write: async () => {
        throw new AppError('TH_CLICKHOUSE_QUERY', 'unknown table', { retryable: false });
      },
      maxFailedAttempts: 3,
      giveUp: async (items, err) => void givenUp.push(`${items.length} ${err.code}`),
      retryMaxMs: 1,
    });
    await loop.start();
    await deliver(0, [0, 1]);
    expect(givenUp).toEqual(['2 TH_CLICKHOUSE_QUERY']);
    expect(calls).toContain('commit 0:2');
  });

  it('tells its owner when the group assigns partitions', async () => {
    const { consumer, join } = fakeConsumer();
    let assignments = 0;
    const loop = new ConsumerLoop({
      ...loopDefaults,
      consumer,
      buffer: new BatchBuffer({ maxRows: 2, maxBytes: 1e9, maxDelayMs: 1e9 }),
      write: async (items) => writtenAll(items),
      onAssignment: () => assignments++,
      retryMaxMs: 1,
    });
    await loop.start();
    join();
    expect(assignments).toBe(1);
  });

  it('writes a batch that reads more than its bound in halves, committing each half in order', async () => {
    const { consumer, calls, deliver } = fakeConsumer();
    const written: string[] = [];
    const loop = new ConsumerLoop({
      ...loopDefaults,
      consumer,
      buffer: new BatchBuffer({ maxRows: 5, maxBytes: 1e9, maxDelayMs: 1e9 }),
      write: async (items) => {
        if (items.length > 2) throw new AppError('TH_BATCH_TOO_LARGE', 'too much to read');
        written.push(items.map((i) => i.offset).join(','));
        return writtenAll(items);
      },
      retryMaxMs: 1,
    });
    await loop.start();
    await deliver(0, [0, 1, 2, 3, 4]);
    expect(written).toEqual(['0,1', '2', '3,4']);
    expect(calls.filter((c) => c.startsWith('commit'))).toEqual(['commit 0:2', 'commit 0:3', 'commit 0:5']);
  });

  it('after a slow write, waits for the next deadline instead of flushing on every timer tick', async () => {
    vi.useFakeTimers();
    try {
      const { consumer, deliver } = fakeConsumer();
      const sizes: number[] = [];
      const hanging: (() => void)[] = [];
      const loop = new ConsumerLoop({
        ...loopDefaults,
        consumer,
        buffer: new BatchBuffer({ maxRows: 100, maxBytes: 1e9, maxDelayMs: 50 }),
        write: async (items) => {
          sizes.push(items.length);
          // The first two writes hang until released.
          if (sizes.length <= 2) await new Promise<void>((resolve) => hanging.push(resolve));
          return writtenAll(items);
        },
        tickMs: 10,
      });
      await loop.start();
      await deliver(0, [1]);
      await vi.advanceTimersByTimeAsync(60); // [1] is due: its write starts, and hangs
      await deliver(0, [2]);
      await vi.advanceTimersByTimeAsync(200); // [2] is due while that write hangs, over 20 ticks
      hanging[0]!();
      await vi.advanceTimersByTimeAsync(0); // the write of [2] starts, and hangs
      await deliver(0, [3]);
      hanging[1]!();
      await vi.advanceTimersByTimeAsync(20); // [3] is not due yet: it waits, whatever ticks came before
      await deliver(0, [4]);
      await vi.advanceTimersByTimeAsync(40); // [3] is due now, and [4] goes with it
      expect(sizes).toEqual([1, 1, 2]);
      await loop.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives a batch the longer delay while Kafka holds a backlog: more than a fetch returned, already waiting', async () => {
    vi.useFakeTimers();
    try {
      const { consumer, deliver, join } = fakeConsumer();
      const sizes: number[] = [];
      const delays: string[] = [];
      const loop = new ConsumerLoop({
        ...loopDefaults,
        consumer,
        buffer: new BatchBuffer({ maxRows: 100, maxBytes: 1e9, maxDelayMs: 50, maxDelayBehindMs: 500 }),
        onBatch: (_result, _items, _ms, delay) => delays.push(delay),
        write: async (items) => {
          sizes.push(items.length);
          return writtenAll(items);
        },
        tickMs: 10,
      });
      await loop.start();
      // A backlog: every fetch leaves records in Kafka, and what it returns has waited 60 ms.
      let offset = 0;
      const backlog = async (ms: number) => {
        for (let t = 0; t < ms; t += 20) {
          await deliver(0, [++offset], 1_000, 60);
          await vi.advanceTimersByTimeAsync(20);
        }
      };
      await backlog(480);
      expect(sizes).toEqual([]); // behind: not due at 50 ms, nor at 480
      await backlog(40);
      expect(sizes).toEqual([25]); // due at 500
      await deliver(0, [++offset], 1_000, 60);
      await vi.advanceTimersByTimeAsync(60);
      expect(sizes).toEqual([25, 2]); // nothing more came for half the short delay: written at 50 ms
      await deliver(2, [9], 7, 60); // behind on partition 2...
      join(); // ...until a reassignment: the lags it knew (and the unwritten [9]) are forgotten
      await deliver(1, [1], 0, 0);
      await vi.advanceTimersByTimeAsync(60); // so the short delay applies
      expect(sizes).toEqual([25, 2, 1]);
      await deliver(2, [1], 9, 0); // records left by a burst, but fresh: the writer keeps up
      await vi.advanceTimersByTimeAsync(60);
      expect(sizes).toEqual([25, 2, 1, 1]);
      expect(delays).toEqual(['behind', 'behind', 'short', 'short']); // what telemetry counts
      await loop.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops what it consumed but has not written when the group reassigns partitions', async () => {
    const { consumer, calls, deliver, join } = fakeConsumer();
    const written: string[] = [];
    const loop = new ConsumerLoop({
      ...loopDefaults,
      consumer,
      buffer: new BatchBuffer({ maxRows: 100, maxBytes: 1e9, maxDelayMs: 60_000 }),
      write: async (items) => {
        written.push(items.map((i) => `${i.partition}:${i.offset}`).join(','));
        return writtenAll(items);
      },
    });
    await loop.start();
    await deliver(0, [5, 6]);
    join(); // uncommitted: the partition's owner reads 5 and 6 again from the committed offset
    await deliver(0, [5, 6, 7]);
    await loop.stop();
    expect(written).toEqual(['0:5,0:6,0:7']);
    expect(calls).toContain('commit 0:8');
  });
});
