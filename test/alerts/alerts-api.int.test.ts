import { randomUUID } from 'node:crypto';
import { insertAlertEvents } from '@tracehouse/shared/node';
import { until, validSignature, WebhookReceiver } from '@tracehouse/test-support/alerts';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient } from '../write-path/helpers.js';

const ruleBody = (over: Record<string, unknown> = {}) => ({
  name: 'quality drop',
  source: { type: 'metric', dimension: 'quality_score' },
  filter: { name: 'generate_answer', tags: { environment: 'production' } },
  aggregation: 'avg',
  window_seconds: 300,
  comparator: '<',
  threshold: 3.5,
  ...over,
});

describe('/v2/alerts API', () => {
  let stack: Stack;
  let api: IngestClient;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    stack = await Stack.create();
    api = injectClient((await stack.startIngest()).app, stack.apiKey);
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  it('creates, reads, updates, enables/disables and deletes rules, scoped to the project', async () => {
    const created = await api.request('POST', '/v2/alerts/rules', ruleBody());
    expect(created.status).toBe(201);
    const { id, secret } = created.body;
    expect(secret).toMatch(/^whsec_/);
    expect(created.body).toMatchObject({
      enabled: true,
      for_seconds: 0,
      no_data: 'keep',
      severity: 'warning',
    });
    const got = await api.request('GET', `/v2/alerts/rules/${id}`);
    expect(got.body.secret).toBeUndefined();
    expect(got.body.secret_hint).toBe(`…${secret.slice(-4)}`);
    expect((await api.request('GET', '/v2/alerts/rules')).body.data.map((r: { id: string }) => r.id)).toEqual(
      [id],
    );

    const patched = await api.request('PATCH', `/v2/alerts/rules/${id}`, {
      threshold: 3,
      severity: 'critical',
    });
    expect(patched.body).toMatchObject({ threshold: 3, severity: 'critical', name: 'quality drop' });
    expect((await api.request('POST', `/v2/alerts/rules/${id}/disable`)).body.enabled).toBe(false);
    expect((await api.request('POST', `/v2/alerts/rules/${id}/enable`)).body.enabled).toBe(true);

    const other = await stack.otherProjectKey();
    const otherApi = injectClient(stack.ingests[0]!.app, other.key);
    expect((await otherApi.request('GET', `/v2/alerts/rules/${id}`)).status).toBe(404);
    expect((await otherApi.request('DELETE', `/v2/alerts/rules/${id}`)).status).toBe(404);

    expect((await api.request('DELETE', `/v2/alerts/rules/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/v2/alerts/rules/${id}`)).status).toBe(404);
  });

  it('refuses bad input with 422 naming the field, never 500', async () => {
    const cases: [unknown, string][] = [
      [ruleBody({ window_seconds: 5 }), 'window_seconds'],
      [ruleBody({ source: { type: 'span', signal: 'span.error_rate' }, aggregation: 'p95' }), 'aggregation'],
      [ruleBody({ source: { type: 'span', signal: 'span.nope' } }), 'source'],
      [ruleBody({ comparator: '!=' }), 'comparator'],
      [ruleBody({ channels: [{ type: 'webhook', url: 'ftp://x' }] }), 'channels'],
      [ruleBody({ threshold: 'high' }), 'threshold'],
      [ruleBody({ extra: 1 }), 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await api.request('POST', '/v2/alerts/rules', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.message).toContain(field);
    }
    expect((await api.request('GET', '/v2/alerts/rules/not-a-uuid')).status).toBe(422);
    const id = (await api.request('POST', '/v2/alerts/rules', ruleBody())).body.id;
    const res = await api.request('PATCH', `/v2/alerts/rules/${id}`, {
      aggregation: 'p99',
      source: { type: 'span', signal: 'span.count' },
    });
    expect([res.status, res.body.message]).toEqual([422, expect.stringContaining('aggregation')]);
    expect((await api.request('GET', '/v2/alerts/events?limit=0')).status).toBe(422);
    expect((await api.request('GET', '/v2/alerts/events?cursor=abc')).body.message).toContain('cursor');
    const preview = await api.request('POST', '/v2/alerts/rules/preview', {
      rule: ruleBody(),
      from: '2025-01-02T00:00:00Z',
      to: '2025-01-01T00:00:00Z',
    });
    expect([preview.status, preview.body.message]).toEqual([422, expect.stringContaining('to')]);
  });

  it('sends a signed test notification to the webhook and reports each channel', async () => {
    const { id, secret } = (
      await api.request(
        'POST',
        '/v2/alerts/rules',
        ruleBody({ channels: [{ type: 'webhook', url: receiver.url }, { type: 'log' }] }),
      )
    ).body;
    const res = await api.request('POST', `/v2/alerts/rules/${id}/test`);
    expect(res.body.results).toEqual([
      { channel: 'webhook', ok: true, status: 200, error: null },
      { channel: 'log', ok: true, status: null, error: null },
    ]);
    const [req] = receiver.of(id);
    expect(req!.json).toMatchObject({ test: true, kind: 'firing', rule_id: id, type: 'tracehouse.alert' });
    expect(validSignature(req!.body, req!.headers['x-tracehouse-signature'], secret)).toBe(true);
    expect(req!.headers['idempotency-key']).toBe(req!.json.id);
  });

  it('lists events newest first with filters and cursor pages that neither skip nor repeat', async () => {
    const ruleId = randomUUID();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const rows = [...Array(5).keys()].map((i) => ({
      project_id: stack.projectId,
      rule_id: ruleId,
      seq: i + 1,
      event_id: randomUUID(),
      kind: i % 2 ? 'resolved' : 'firing',
      severity: 'warning',
      rule_name: 'r',
      value: i,
      threshold: 1,
      comparator: '>',
      aggregation: 'avg',
      source: JSON.stringify({ type: 'metric', dimension: 'd' }),
      window_seconds: 60,
      window_start: new Date(t0 + i * 60_000 - 60_000).toISOString(),
      window_end: new Date(t0 + i * 60_000).toISOString(),
      at: new Date(t0 + i * 60_000).toISOString(),
      sample_trace_ids: [],
      channels: '[]',
    }));
    await insertAlertEvents(stack.clickhouse, rows);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v2/alerts/events?rule_id=${ruleId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.request('GET', q);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e: { seq: number }) => e.seq));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    const firing = await api.request(
      'GET',
      `/v2/alerts/events?rule_id=${ruleId}&kind=firing&from=2026-01-01T00:01:00Z`,
    );
    expect(firing.body.data.map((e: { seq: number }) => e.seq)).toEqual([5, 3]);
    const other = await stack.otherProjectKey();
    const otherList = await injectClient(stack.ingests[0]!.app, other.key).request(
      'GET',
      `/v2/alerts/events?rule_id=${ruleId}`,
    );
    expect(otherList.body.data).toEqual([]);
  });

  it('previews a rule over stored data: the series and the transitions it would have made', async () => {
    await stack.startWriter();
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const s1 = (
      await api.request('POST', '/v2/spans', {
        name: 'generate_answer',
        tags: { environment: 'production' },
        start_time: iso(now - 100_000),
        end_time: iso(now - 99_000),
      })
    ).body;
    const s2 = (
      await api.request('POST', '/v2/spans', { name: 'generate_answer', tags: { environment: 'dev' } })
    ).body;
    for (const v of [4, 4, 2, 2])
      await api.request('POST', `/v2/spans/${s1.id}/metrics`, { dimension: 'quality_score', value: v });
    await api.request('POST', `/v2/spans/${s2.id}/metrics`, { dimension: 'quality_score', value: 0 });
    const preview = () =>
      api.request('POST', '/v2/alerts/rules/preview', {
        rule: ruleBody({ window_seconds: 60 }),
        from: iso(now - 60_000),
        to: iso(now + 120_000),
        step_seconds: 10,
      });
    // Metrics are stored by the writer a moment after they are acknowledged.
    const res = await until(
      preview,
      (r) => r.body.series?.some((p: { value: number | null }) => p.value === 3),
      30_000,
      'stored metrics',
    );
    expect(res.status).toBe(200);
    expect(res.body.step_seconds).toBe(10);
    // avg(4, 4, 2, 2) = 3 < 3.5 while the values are in the window; the dev span's 0 is filtered out.
    expect(res.body.transitions[0]).toMatchObject({ kind: 'firing', value: 3 });
    expect(res.body.series.every((p: { value: number | null }) => p.value === null || p.value === 3)).toBe(
      true,
    );
    const spanPreview = await api.request('POST', '/v2/alerts/rules/preview', {
      rule: ruleBody({
        source: { type: 'span', signal: 'span.duration_ms' },
        aggregation: 'max',
        comparator: '>',
        threshold: 500,
        window_seconds: 60,
      }),
      from: iso(now - 100_000),
      to: iso(now),
    });
    expect(spanPreview.body.series.some((p: { value: number | null }) => p.value === 1_000)).toBe(true);
  });
});
