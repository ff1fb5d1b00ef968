import { createLogger, HealthRegistry } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { buildServerApp } from '../app.js';
import { handlerReached } from '../stub-app.test-support.js';

const projects: Record<string, string> = {
  th_a1: 'a0000000-0000-4000-8000-000000000001',
  th_a2: 'a0000000-0000-4000-8000-000000000001',
  th_b1: 'b0000000-0000-4000-8000-000000000002',
};

describe('rate limits by project', () => {
  it('counts every key of a project against one budget, after authentication; other projects and unauthenticated routes are unaffected', async () => {
    const app = await buildServerApp({
      logger: createLogger({ name: 'test', level: 'silent' }),
      health: new HealthRegistry(),
      auth: { keys: { projectOf: async (key) => projects[key] } },
      rateLimit: { max: 3, windowMs: 60_000 },
      reads: {
        reads: handlerReached('reads') as never,
        search: handlerReached('search') as never,
        clickhouse: handlerReached('clickhouse') as never,
        analytics: async () => ({ dimension: 'x', from: '', to: '', interval_seconds: 1, buckets: [] }),
        datasetEntries: () => {
          throw new Error('unused');
        },
      },
    });
    const post = (key: string) =>
      app.inject({
        method: 'POST',
        url: '/v2/analytics/metrics',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: '{"dimension":"x"}',
      });
    expect((await post('th_a1')).statusCode).toBe(200);
    expect((await post('th_a2')).statusCode).toBe(200);
    expect((await post('th_a1')).statusCode).toBe(200);
    const limited = await post('th_a2');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'TH_RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post('th_b1')).statusCode).toBe(200);
    // Bad keys are refused by authentication (401) and never spend a project's budget.
    for (let i = 0; i < 10; i++) expect((await post(`th_bad_${i}`)).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
    await app.close();
  });
});
