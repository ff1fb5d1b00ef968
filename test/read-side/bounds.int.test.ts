import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient, type Json } from '../write-path/helpers.js';

/** Responses bounded in bytes (with a way to continue) and analytics bounded in window and buckets. */
describe('read bounds', () => {
  let stack: Stack;
  let api: IngestClient;
  const budget = 64 * 1024;
  const traceId = crypto.randomUUID();
  const spanCount = 12;

  beforeAll(async () => {
    stack = await Stack.create();
    const server = await stack.startIngest({
      RESPONSE_MAX_BYTES: String(budget),
      ANALYTICS_MAX_WINDOW_DAYS: '30',
      ANALYTICS_MAX_BUCKETS: '100',
    });
    await stack.startWriter();
    api = injectClient(server.app, stack.apiKey);
    // 12 spans of ~20 KB each in one trace: ~240 KB, well past the 64 KiB budget.
    const items = Array.from({ length: spanCount }, (_, i) => ({
      type: 'span.create',
      body: {
        trace_id: traceId,
        name: `big-${i}`,
        input: 'x'.repeat(20_000),
        start_time: new Date(Date.now() - 60_000 + i * 100).toISOString(),
      },
    }));
    expect((await api.request('POST', '/v2/ingest', { items })).body.accepted).toBe(spanCount);
    // Search reads what is stored (no read-your-writes fence): wait for the writer.
    const stored = await stack.eventually(
      () => stack.spanCounts(),
      (c) => c.unique === spanCount,
    );
    expect(stored.unique).toBe(spanCount);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('search pages stop at the byte budget and the cursor continues without skips or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api.request('POST', '/v2/search/spans', { limit: 100, sort: 'start_time', cursor });
      expect(res.status).toBe(200);
      const bytes = Buffer.byteLength(JSON.stringify(res.body.data));
      // One row may pass the budget alone (a page always makes progress); two rows never do here.
      expect(bytes < budget + 21_000).toBe(true);
      seen.push(...res.body.data.map((s: Json) => s.name));
      cursor = res.body.next_cursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: spanCount }, (_, i) => `big-${i}`));
  });

  it('a trace read stops at the byte budget and says so', async () => {
    const res = await api.request('GET', `/v2/traces/${traceId}`);
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(true);
    expect(res.body.spans.length).toBeGreaterThan(0);
    expect(res.body.spans.length).toBeLessThan(spanCount);
  });

  it('analytics refuses windows and bucket counts past the bounds, naming the field', async () => {
    const now = Date.now();
    const tooLong = await api.request('POST', '/v2/analytics/metrics', {
      dimension: 'quality',
      filter: { from: new Date(now - 40 * 86_400_000).toISOString() },
      interval_seconds: 86_400,
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.detail.field).toBe('filter.from');
    const tooManyBuckets = await api.request('POST', '/v2/analytics/metrics', {
      dimension: 'quality',
      interval_seconds: 60,
    });
    expect(tooManyBuckets.status).toBe(422);
    expect(tooManyBuckets.body.detail.field).toBe('interval_seconds');
    expect(tooManyBuckets.body.message).toMatch(/interval_seconds: 1440 buckets/);
    const fine = await api.request('POST', '/v2/analytics/metrics', { dimension: 'quality' });
    expect(fine.status).toBe(200);
  });
});
