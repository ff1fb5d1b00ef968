import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { type AlertPayload, redactUrl, sendAlert, signBody, slackText } from './notify.js';

const payload: AlertPayload = {
  type: 'tracehouse.alert',
  test: false,
  project_id: 'p',
  id: '00000000-0000-4000-8000-000000000001',
  rule_id: '00000000-0000-4000-8000-000000000002',
  rule_name: 'quality drop',
  seq: 1,
  kind: 'firing',
  severity: 'critical',
  value: 3.12345,
  threshold: 3.5,
  comparator: '<',
  aggregation: 'avg',
  source: { type: 'metric', dimension: 'quality_score' },
  window_seconds: 300,
  window_start: '2025-01-01T00:00:00.000Z',
  window_end: '2025-01-01T00:05:00.000Z',
  at: '2025-01-01T00:05:05.000Z',
  sample_trace_ids: [],
};
const logger = createLogger({ name: 'test', level: 'silent' });

describe('alert notifications', () => {
  it('signs the exact body with HMAC-SHA256 of the secret', () => {
    expect(signBody('{"a":1}', 's')).toBe(
      `sha256=${createHmac('sha256', 's').update('{"a":1}').digest('hex')}`,
    );
  });

  it('writes a Slack line with the rule, kind, value and threshold; logs only a URL origin', () => {
    expect(slackText(payload)).toBe(
      ':rotating_light: [critical] quality drop: firing — avg(quality_score) over 300s = 3.12345 (threshold < 3.5)',
    );
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/secret')).toBe(
      'https://hooks.slack.com/[redacted]',
    );
  });

  it('sends signed JSON with the idempotency key, and retries only what may succeed later', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const answering = (status: number) =>
      (async (url: string, init: RequestInit) => {
        seen.push({ url, init });
        return new Response(null, { status });
      }) as unknown as typeof fetch;
    const channel = { type: 'webhook' as const, url: 'http://127.0.0.1/hook' };
    const ok = await sendAlert(channel, payload, 's', { timeoutMs: 1_000, logger, fetch: answering(204) });
    expect(ok).toEqual({ ok: true, status: 204, error: null, retryable: false });
    const headers = seen[0]!.init.headers as Record<string, string>;
    expect(headers['idempotency-key']).toBe(payload.id);
    expect(headers['x-tracehouse-signature']).toBe(signBody(seen[0]!.init.body as string, 's'));
    expect(
      (await sendAlert(channel, payload, 's', { timeoutMs: 1_000, logger, fetch: answering(503) })).retryable,
    ).toBe(true);
    expect(
      (await sendAlert(channel, payload, 's', { timeoutMs: 1_000, logger, fetch: answering(429) })).retryable,
    ).toBe(true);
    expect(
      (await sendAlert(channel, payload, 's', { timeoutMs: 1_000, logger, fetch: answering(404) })).retryable,
    ).toBe(false);
    const refused = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(
      await sendAlert(channel, payload, 's', { timeoutMs: 1_000, logger, fetch: refused }),
    ).toMatchObject({
      ok: false,
      retryable: true,
    });
  });
});
