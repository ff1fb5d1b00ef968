import { type AlertEventRow, createLogger, type SendResult } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { Dispatcher, retryDelayMs } from './dispatcher.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const row = (ruleId: string): AlertEventRow => ({
  project_id: 'p',
  rule_id: ruleId,
  seq: 1,
  event_id: `e-${ruleId}`,
  kind: 'firing',
  severity: 'warning',
  rule_name: 'r',
  value: 1,
  threshold: 0,
  comparator: '>',
  aggregation: 'avg',
  source: '{"type":"metric","dimension":"d"}',
  window_seconds: 60,
  window_start: '2025-01-01T00:00:00.000Z',
  window_end: '2025-01-01T00:01:00.000Z',
  at: '2025-01-01T00:01:00.000Z',
  sample_trace_ids: [],
  channels: '[]',
});

describe('Dispatcher', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelayMs(1, 100, 1_000, () => 0)).toBe(50);
    expect(retryDelayMs(3, 100, 1_000, () => 1)).toBe(400);
    expect(retryDelayMs(10, 100, 1_000, () => 1)).toBe(1_000);
  });

  it('retries a failing channel, records every attempt, and a slow receiver does not hold back another rule', async () => {
    const attempts: { rule: string; attempt: number; outcome: string }[] = [];
    let slowRelease!: () => void;
    const slow = new Promise<void>((r) => {
      slowRelease = r;
    });
    let failures = 2;
    const d = new Dispatcher({
      send: async (_c, payload): Promise<SendResult> => {
        if (payload.rule_id === 'slow') await slow;
        if (payload.rule_id === 'flaky' && failures-- > 0)
          return { ok: false, status: 500, error: 'HTTP 500', retryable: true };
        return { ok: true, status: 200, error: null, retryable: false };
      },
      record: async (rows) => {
        for (const r of rows) attempts.push({ rule: r.rule_id, attempt: r.attempt, outcome: r.outcome });
      },
      owns: () => true,
      logger,
      clock: Date.now,
      random: () => 0,
      retryMinMs: 2,
      retryMaxMs: 10,
      maxAttempts: 5,
      concurrency: 2,
    });
    const channel = { type: 'webhook' as const, url: 'http://127.0.0.1:1/x' };
    d.enqueue({ row: row('slow'), channel, index: 0, secret: 's', attempt: 1 });
    d.enqueue({ row: row('flaky'), channel, index: 0, secret: 's', attempt: 1 });
    // A takeover resuming the same delivery while it is retrying here does not double it.
    d.enqueue({ row: row('flaky'), channel, index: 0, secret: 's', attempt: 1 });
    const deadline = Date.now() + 5_000;
    while (!attempts.some((a) => a.rule === 'flaky' && a.outcome === 'delivered') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(attempts.filter((a) => a.rule === 'flaky')).toEqual([
      { rule: 'flaky', attempt: 1, outcome: 'failed' },
      { rule: 'flaky', attempt: 2, outcome: 'failed' },
      { rule: 'flaky', attempt: 3, outcome: 'delivered' },
    ]);
    expect(attempts.some((a) => a.rule === 'slow')).toBe(false);
    slowRelease();
    await d.stop();
    expect(attempts.at(-1)).toEqual({ rule: 'slow', attempt: 1, outcome: 'delivered' });
  });
});
