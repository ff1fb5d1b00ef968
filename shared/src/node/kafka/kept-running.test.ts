import type { Consumer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { KeptRunning, restartedByCaller } from './kept-running.js';

const CRASH = 'consumer.crash';
const GROUP_JOIN = 'consumer.group_join';

/**
 * Just enough of a kafkajs consumer: `run` joins the group, or crashes while joining (emitting CRASH
 * before it resolves, as kafkajs does) while `crashes` lasts; `connect` fails while `refusals` lasts.
 */
function fakeConsumer(script: { crashes?: number; refusals?: number } = {}) {
  let crashes = script.crashes ?? 0;
  let refusals = script.refusals ?? 0;
  const calls: string[] = [];
  const listeners = new Map<string, Set<(e: { payload: unknown }) => void>>();
  const emit = (event: string, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l({ payload });
  };
  const consumer = {
    events: { CRASH, GROUP_JOIN },
    on: (event: string, listener: (e: { payload: unknown }) => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    connect: async () => {
      calls.push('connect');
      if (refusals-- > 0) throw Object.assign(new Error('refused'), { name: 'KafkaJSConnectionError' });
    },
    run: async () => {
      calls.push('run');
      if (crashes-- > 0) {
        const error = Object.assign(new Error('no coordinator'), { name: 'KafkaJSGroupCoordinatorNotFound' });
        emit(CRASH, { error, restart: false });
      } else emit(GROUP_JOIN, {});
    },
  } as unknown as Consumer;
  /** A crash after the consumer ran, as from its fetch loop. */
  const crashLater = () => emit(CRASH, { error: new Error('fetch failed'), restart: false });
  const listenerCount = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
  return { consumer, calls, crashLater, listenerCount };
}

const logger = createLogger({ name: 'test', level: 'silent' });

describe('KeptRunning', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a consumer that crashed while joining again, seeking only once it has joined', async () => {
    const { consumer, calls } = fakeConsumer({ crashes: 2 });
    const seeks: string[] = [];
    const kept = await KeptRunning.start(
      consumer,
      {},
      { logger, minDelayMs: 100, afterRun: () => seeks.push(calls.join(',')) },
    );
    expect(kept.down).toBe(true);
    expect(seeks).toEqual([]);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual(['run']);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['run', 'connect', 'run']);
    // The second crash waits twice as long.
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['run', 'connect', 'run', 'connect', 'run']);
    expect(kept.down).toBe(false);
    expect(seeks).toEqual(['run,connect,run,connect,run']);
  });

  it('seeks after the first run when it joins, and again after a restart from a later crash', async () => {
    const { consumer, calls, crashLater } = fakeConsumer();
    let seeks = 0;
    const kept = await KeptRunning.start(consumer, {}, { logger, minDelayMs: 10, afterRun: () => seeks++ });
    expect(seeks).toBe(1);
    crashLater();
    expect(kept.down).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual(['run', 'connect', 'run']);
    expect(seeks).toBe(2);
    // Joining again resets the backoff.
    crashLater();
    await vi.advanceTimersByTimeAsync(10);
    expect(seeks).toBe(3);
  });

  it('keeps trying while the broker refuses connections, up to the longest delay', async () => {
    const { consumer, calls, crashLater } = fakeConsumer({ refusals: 3 });
    const crashes: string[] = [];
    const kept = await KeptRunning.start(
      consumer,
      {},
      { logger, minDelayMs: 100, maxDelayMs: 250, onCrash: (e) => crashes.push(e.name) },
    );
    crashLater();
    await vi.advanceTimersByTimeAsync(100 + 200 + 250);
    expect(calls).toEqual(['run', 'connect', 'connect', 'connect']);
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['run', 'connect', 'connect', 'connect', 'connect', 'run']);
    expect(crashes).toEqual([
      'Error',
      'KafkaJSConnectionError',
      'KafkaJSConnectionError',
      'KafkaJSConnectionError',
    ]);
    expect(kept.down).toBe(false);
  });

  it('restarts nothing once stopped, and leaves no listener behind', async () => {
    const { consumer, calls, crashLater, listenerCount } = fakeConsumer();
    const kept = await KeptRunning.start(consumer, {}, { logger, minDelayMs: 10 });
    crashLater();
    await kept.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual(['run']);
    expect(listenerCount()).toBe(0);
  });

  it('builds consumer options with kafkajs restarts off, keeping the other retry options', async () => {
    const config = restartedByCaller({ groupId: 'g', retry: { retries: 3 } });
    expect(config.groupId).toBe('g');
    expect(config.retry?.retries).toBe(3);
    expect(await config.retry?.restartOnFailure?.(new Error('x'))).toBe(false);
  });
});
