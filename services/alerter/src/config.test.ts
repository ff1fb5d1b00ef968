import { describe, expect, it } from 'vitest';
import { loadAlerterConfig } from './config.js';

describe('loadAlerterConfig', () => {
  it('evaluates every 5 s with a 5 s lateness allowance and exact percentiles up to 1,000 values by default', () => {
    const c = loadAlerterConfig({});
    expect([c.ALERTER_EVAL_INTERVAL_MS, c.ALERTER_LATENESS_MS, c.ALERTER_EXACT_MAX_VALUES]).toEqual([
      5_000, 5_000, 1_000,
    ]);
  });

  it('rejects a retry ceiling below the floor, naming it', () => {
    expect(() =>
      loadAlerterConfig({ ALERTER_DELIVERY_RETRY_MIN_MS: '500', ALERTER_DELIVERY_RETRY_MAX_MS: '100' }),
    ).toThrow(/ALERTER_DELIVERY_RETRY_MAX_MS/);
  });

  it('refuses a session timeout below what Kafka brokers accept', () => {
    expect(() => loadAlerterConfig({ ALERTER_SESSION_TIMEOUT_MS: '1000' })).toThrow(
      /ALERTER_SESSION_TIMEOUT_MS/,
    );
  });

  it('refuses to give up joining before it first looks', () => {
    expect(() =>
      loadAlerterConfig({ ALERTER_JOIN_WAIT_MS: '5000', ALERTER_JOIN_GIVE_UP_MS: '1000' }),
    ).toThrow(/ALERTER_JOIN_GIVE_UP_MS/);
  });
});
