import { MetricAnalyticsResponse } from '@tracehouse/shared';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient } from '../write-path/helpers.js';

/** numpy's default ("linear") percentile, which quantileExactInclusive matches. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

describe('export and metric analytics', () => {
  let stack: Stack;
  let api: IngestClient;
  let inject: (url: string, body: unknown) => Promise<{ status: number; body: string; type: string }>;
  const hour = Date.UTC(2026, 0, 5, 10);
  const latency: Record<string, number[]> = { 'gpt-4o': [], claude: [] };

  beforeAll(async () => {
    stack = await Stack.create();
    const ingest = await stack.startIngest();
    await stack.startWriter();
    api = injectClient(ingest.app, stack.apiKey);
    inject = async (url, body) => {
      const res = await ingest.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return { status: res.statusCode, body: res.body, type: String(res.headers['content-type']) };
    };
    // 120 spans over two hours (one per minute), alternating models; a latency metric on each.
    const items: unknown[] = [];
    for (let i = 0; i < 120; i++) {
      const model = i % 2 ? 'claude' : 'gpt-4o';
      const id = crypto.randomUUID();
      const value = ((i * 37) % 100) + (model === 'claude' ? 0.5 : 0);
      latency[model]!.push(value);
      items.push({
        type: 'span.create',
        body: {
          id,
          name: i % 3 ? 'llm-call' : 'rerank',
          start_time: new Date(hour + i * 60_000).toISOString(),
          end_time: new Date(hour + i * 60_000 + 500).toISOString(),
          tags: { model },
          input: { text: i % 10 ? `q${i}` : 'has, "quotes"\nand lines' },
        },
      });
      items.push({ type: 'metric.create', span_id: id, body: { dimension: 'latency_ms', value } });
    }
    expect((await api.request('POST', '/v2/ingest', { items })).status).toBe(200);
    await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: `SELECT (SELECT count() FROM spans_v2 FINAL WHERE project_id = {p:UUID}) AS s,
                         (SELECT count() FROM span_metrics FINAL WHERE project_id = {p:UUID}) AS m`,
          query_params: { p: stack.projectId },
          format: 'JSONEachRow',
        });
        const [row] = await rs.json<{ s: string; m: string }>();
        return `${row?.s}/${row?.m}`;
      },
      (counts) => counts === '120/120',
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  const window = { from: new Date(hour).toISOString(), to: new Date(hour + 2 * 3600_000).toISOString() };

  it('aggregates a dimension per hour and per tag value, exactly', async () => {
    const res = await inject('/v2/analytics/metrics', {
      dimension: 'latency_ms',
      filter: window,
      interval_seconds: 3600,
      aggregations: ['count', 'avg', 'min', 'max', 'sum', 'p50', 'p90', 'p95', 'p99'],
      group_by: { tag: 'model' },
    });
    expect(res.status, res.body).toBe(200);
    const report = MetricAnalyticsResponse.parse(JSON.parse(res.body));
    expect(report.interval_seconds).toBe(3600);
    expect(report.buckets).toHaveLength(4); // 2 hours × 2 models
    for (const [h, start] of [new Date(hour), new Date(hour + 3600_000)].entries()) {
      for (const model of ['claude', 'gpt-4o']) {
        const values = latency[model]!.filter(
          (_, k) => Math.floor((k * 2 + (model === 'claude' ? 1 : 0)) / 60) === h,
        );
        const bucket = report.buckets.find(
          (b) => b.start === `${start.toISOString().slice(0, 19)}.000000Z` && b.group === model,
        )!;
        expect(bucket, `${h} ${model}`).toBeDefined();
        expect(bucket.count).toBe(values.length);
        expect(bucket.sum).toBeCloseTo(
          values.reduce((a, b) => a + b, 0),
          6,
        );
        expect(bucket.min).toBe(Math.min(...values));
        expect(bucket.max).toBe(Math.max(...values));
        expect(bucket.avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
        for (const [key, q] of [
          ['p50', 0.5],
          ['p90', 0.9],
          ['p95', 0.95],
          ['p99', 0.99],
        ] as const) {
          expect(bucket[key], key).toBeCloseTo(percentile(values, q), 6);
        }
      }
    }
  });

  it('filters the spans a metric must be on, and groups by span name', async () => {
    const res = await inject('/v2/analytics/metrics', {
      dimension: 'latency_ms',
      filter: { ...window, tags: { model: 'claude' } },
      interval_seconds: 7200,
      aggregations: ['count'],
      group_by: { span_name: true },
    });
    const report = MetricAnalyticsResponse.parse(JSON.parse(res.body));
    const counts = Object.fromEntries(report.buckets.map((b) => [b.group, b.count]));
    // claude spans are the odd i; rerank is i % 3 == 0.
    const odd = [...Array(120).keys()].filter((i) => i % 2 === 1);
    expect(counts).toEqual({
      'llm-call': odd.filter((i) => i % 3 !== 0).length,
      rerank: odd.filter((i) => i % 3 === 0).length,
    });
    const bad = await inject('/v2/analytics/metrics', { dimension: '', aggregations: ['p42'] });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('dimension');
    expect(bad.body).toContain('aggregations');
  });

  it('counts a metric once, where it is now: after its span moves or its dimension changes, and not once deleted', async () => {
    // A day before the other spans, so their exports and analytics do not see these.
    const day = hour - 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const spans = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const metrics: string[] = [];
    for (const [i, id] of spans.entries()) {
      const span = await api.request('POST', '/v2/spans', {
        id,
        name: 'moving',
        start_time: iso(day + i * 60_000),
      });
      expect(span.status).toBe(200);
      const metric = await api.request('POST', `/v2/spans/${id}/metrics`, {
        dimension: 'moves',
        value: i + 1,
      });
      expect(metric.status).toBe(200);
      metrics.push(metric.body.id);
    }
    const report = async (dimension: string) => {
      const res = await inject('/v2/analytics/metrics', {
        dimension,
        filter: { from: iso(day), to: iso(day + 2 * 3600_000) },
        interval_seconds: 3600,
        aggregations: ['count', 'sum'],
      });
      expect(res.status, res.body).toBe(200);
      return MetricAnalyticsResponse.parse(JSON.parse(res.body)).buckets;
    };
    const hourOf = (ms: number) => `${iso(ms).slice(0, 19)}.000000Z`;
    const before = await stack.eventually(
      () => report('moves'),
      (b) => b[0]?.count === 3,
    );
    expect(before).toEqual([{ start: hourOf(day), count: 3, sum: 6 }]);

    const moves = [
      api.request('PATCH', `/v2/spans/${spans[0]}`, { start_time: iso(day + 3600_000 + 5_000) }),
      api.request('PATCH', `/v2/spans/${spans[1]}/metrics/${metrics[1]}`, { dimension: 'moved' }),
      api.request('DELETE', `/v2/spans/${spans[2]}/metrics/${metrics[2]}`),
    ];
    expect((await Promise.all(moves)).map((r) => r.status)).toEqual([200, 200, 204]);
    const after = await stack.eventually(
      async () => [await report('moves'), await report('moved')] as const,
      ([moved, renamed]) => moved.length === 1 && moved[0]?.sum === 1 && renamed.length === 1,
    );
    expect(after).toEqual([
      [{ start: hourOf(day + 3600_000), count: 1, sum: 1 }],
      [{ start: hourOf(day), count: 1, sum: 2 }],
    ]);
  });

  it('exports matching spans as streamed JSONL and as CSV with quoting', async () => {
    const jsonl = await inject('/v2/export/spans', { filter: { ...window, name: 'rerank' } });
    expect(jsonl.status).toBe(200);
    expect(jsonl.type).toContain('application/x-ndjson');
    const rows = jsonl.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.name === 'rerank' && r.tags.model)).toBe(true);
    expect(rows.map((r) => r.start_time)).toEqual([...rows.map((r) => r.start_time)].sort());

    const csv = await inject('/v2/export/spans', { filter: window, format: 'csv' });
    expect(csv.type).toContain('text/csv');
    const [header] = csv.body.split('\r\n');
    expect(header!.split(',').slice(0, 4)).toEqual(['id', 'trace_id', 'parent_id', 'name']);
    // 120 data lines, plus the header, plus embedded newlines inside quoted fields don't split records.
    const records = csv.body.match(/\r\n/g)!.length;
    expect(records).toBe(121);
    expect(csv.body).toContain('"{""text"":""has, \\""quotes\\""\\nand lines""}"');

    const traces = await inject('/v2/export/traces', { filter: window, limit: 7 });
    expect(traces.body.trim().split('\n')).toHaveLength(7);
    const empty = await inject('/v2/export/spans', { filter: { name: 'nothing-here' } });
    expect(empty.status).toBe(200);
    expect(empty.body).toBe('');
  });
});
