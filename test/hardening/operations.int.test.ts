import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectClient } from '../write-path/helpers.js';

/** What operators rely on: per-key rate limits, and Prometheus metrics that reflect real work. */
describe('rate limits and /metrics', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.create({ env: { LAG_POLL_MS: '500' } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('limits requests per API key with 429 + Retry-After; other keys and health checks are unaffected', async () => {
    const { app } = await stack.startIngest({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' });
    const mine = injectClient(app, stack.apiKey);
    const other = injectClient(app, (await stack.otherProjectKey()).key);
    for (let i = 0; i < 5; i++)
      expect((await mine.request('POST', '/v2/spans', { name: `s${i}` })).status).toBe(200);
    const limited = await app.inject({
      method: 'POST',
      url: '/v2/spans',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      payload: '{"name":"one too many"}',
    });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ type: 'TooManyRequestsError', code: 'TH_RATE_LIMITED' });
    expect((await other.request('POST', '/v2/spans', { name: 'other key' })).status).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('counts acknowledged records, produce latency, requests, written rows and consumer lag', async () => {
    const ingest = await stack.startIngest();
    const writer = await stack.startWriter();
    const api = injectClient(ingest.app, stack.apiKey);
    const items = Array.from({ length: 40 }, (_, i) => ({ type: 'span.create', body: { name: `m${i}` } }));
    expect((await api.request('POST', '/v2/ingest', { items })).status).toBe(200);
    await stack.eventually(
      () => stack.spanCounts(),
      (c) => c.rows >= 45,
    );
    const scrape = await ingest.app.inject({ method: 'GET', url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['content-type']).toContain('text/plain');
    const value = (text: string, series: string) =>
      Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value(scrape.body, 'tracehouse_ingest_records_total\\{kind="spans"\\}')).toBe(40);
    expect(value(scrape.body, 'tracehouse_kafka_produce_seconds_count\\{outcome="ok"\\}')).toBeGreaterThan(0);
    expect(
      value(scrape.body, 'tracehouse_http_requests_total\\{method="POST",route="/v2/ingest",status="200"\\}'),
    ).toBe(1);
    const written = await stack.eventually(
      async () => (await writer.telemetry.render()).body,
      (text) =>
        value(text, 'tracehouse_writer_rows_total\\{table="spans"\\}') >= 45 &&
        value(text, 'tracehouse_writer_consumer_lag\\{topic="[^"]+\\.spans"\\}') === 0,
      20_000,
    );
    expect(value(written, 'tracehouse_writer_rows_total\\{table="spans"\\}')).toBeGreaterThanOrEqual(45);
    expect(value(written, 'tracehouse_writer_consumer_lag\\{topic="[^"]+\\.spans"\\}')).toBe(0);
    expect(value(written, 'tracehouse_writer_batch_items_count')).toBeGreaterThan(0);
  });
});
