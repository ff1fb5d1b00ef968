import { describe, expect, it } from 'vitest';
import { HealthRegistry } from './health.js';

describe('HealthRegistry', () => {
  it('is not ok with no checks: nothing has proven ready yet', async () => {
    expect((await new HealthRegistry().report()).ok).toBe(false);
  });

  it('is ok only when every check passes', async () => {
    const health = new HealthRegistry();
    let kafkaUp = false;
    health.register('kafka', () => kafkaUp);
    health.register('clickhouse', async () => true);
    expect(await health.report()).toEqual({ ok: false, checks: { kafka: false, clickhouse: true } });
    kafkaUp = true;
    expect((await health.report()).ok).toBe(true);
  });

  it('counts a throwing or hanging check as failed', async () => {
    const health = new HealthRegistry(20);
    health.register('throws', () => {
      throw new Error('boom');
    });
    health.register('hangs', () => new Promise<boolean>(() => {}));
    expect(await health.report()).toEqual({ ok: false, checks: { throws: false, hangs: false } });
  });

  it('refuses a duplicate name', () => {
    const health = new HealthRegistry();
    health.register('a', () => true);
    expect(() => health.register('a', () => true)).toThrow(/twice/);
  });
});
