import { randomUUID } from 'node:crypto';
import { type AlerterService, loadAlerterConfig, startAlerter } from '@tracehouse/alerter';
import { aggregateExact, topicNames } from '@tracehouse/shared';
import { HealthRegistry, shutdownInOrder } from '@tracehouse/shared/node';
import {
  fastAlerterEnv,
  insertTestRule,
  until,
  validSignature,
  WebhookReceiver,
} from '@tracehouse/test-support/alerts';
import { testKafka, testLogger } from '@tracehouse/test-support/clients';
import { uniqueName } from '@tracehouse/test-support/names';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient } from '../write-path/helpers.js';

/**
 * The alerter on the real stack: ingest → Kafka → two alerters side by side (and the writer, for
 * span look-ups), a local webhook receiver. Rules use windows of seconds (stored directly: the API
 * only accepts ≥ 60 s).
 */
describe('alerter', () => {
  let stack: Stack;
  let api: IngestClient;
  let receiver: WebhookReceiver;
  const alerters: AlerterService[] = [];
  // Both alerters keep one span in their cache, so metrics of earlier spans are joined from ClickHouse.
  const env = () => ({ ...fastAlerterEnv(uniqueName('th_alerter')), ALERTER_SPAN_CACHE_MAX: '1' });
  let alerterEnv: Record<string, string>;

  beforeAll(async () => {
    stack = await Stack.create();
    api = injectClient((await stack.startIngest()).app, stack.apiKey);
    await stack.startWriter();
    receiver = await WebhookReceiver.start();
    alerterEnv = { ...env(), ALERTER_EXACT_MAX_VALUES: '50' };
    for (let i = 0; i < 2; i++) {
      const a = await startAlerter({
        config: loadAlerterConfig({ ...stack.env, ...alerterEnv }),
        logger: testLogger,
        health: new HealthRegistry(),
      });
      alerters.push(a);
      await a.ready;
    }
    // Both in the group, each owning part of the rule partitions.
    await until(
      () => alerters.map((a) => a.ownership.ownedPartitions.length),
      (n) => n.every((x) => x > 0),
      30_000,
      'ownership split',
    );
  });

  afterAll(async () => {
    for (const a of alerters.splice(0)) await shutdownInOrder(a.shutdownSteps, testLogger);
    await receiver?.close();
    await stack?.close();
  });

  const span = async (body: Record<string, unknown>) => {
    const res = await api.request('POST', '/v2/spans', body);
    expect(res.status).toBe(200);
    return res.body as { id: string; trace_id: string };
  };
  const metric = async (spanId: string, dimension: string, value: number) => {
    const res = await api.request('POST', `/v2/spans/${spanId}/metrics`, { dimension, value });
    expect(res.status).toBe(200);
  };
  const topics = () => topicNames(stack.env.TOPIC_PREFIX);
  const produce = async (topic: string, key: string, events: object[]) => {
    const producer = testKafka(stack.env.KAFKA_BROKERS!.split(',')).producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((e) => ({ key, value: JSON.stringify(e) })),
    });
    await producer.disconnect();
  };
  /** A new rule is evaluated once the alerters have seen a whole window of it (docs/ALERTS.md). */
  const ruleArmed = (ruleId: string) =>
    until(
      () =>
        alerters.map(
          (a) => a.rules.get(ruleId) && a.windows.evaluate(a.rules.get(ruleId)!, Date.now())?.armed,
        ),
      (armed) => armed.every(Boolean),
      70_000,
      'rule armed',
    );
  const kinds = (ruleId: string) => receiver.of(ruleId).map((r) => r.json.kind);

  it('a crossed rule fires once within window + 15 s and resolves once the metric recovers; two alerters notify once', async () => {
    const dimension = uniqueName('quality');
    const rule = await insertTestRule(stack.clickhouse, stack.projectId, {
      name: 'quality drop',
      source: { type: 'metric', dimension },
      aggregation: 'avg',
      window_seconds: 5,
      comparator: '<',
      threshold: 3.5,
      channels: [{ type: 'webhook', url: receiver.url }],
    });
    const s = await span({ name: 'generate_answer' });
    // Wait until the rule is known (rules are re-read every 500 ms) before crossing it.
    await ruleArmed(rule.id);
    const crossedAt = Date.now();
    for (const v of [2, 3, 2.5]) await metric(s.id, dimension, v);
    await until(
      () => kinds(rule.id),
      (k) => k.includes('firing'),
      20_000,
      'firing',
    );
    expect(Date.now() - crossedAt).toBeLessThan(5_000 + 15_000);
    // Recover: good values until the rule resolves.
    await until(
      async () => {
        await metric(s.id, dimension, 5);
        return kinds(rule.id);
      },
      (k) => k.includes('resolved'),
      30_000,
      'resolved',
    );
    expect(kinds(rule.id)).toEqual(['firing', 'resolved']);
    const [firing, resolved] = receiver.of(rule.id);
    expect(firing!.json).toMatchObject({
      seq: 1,
      rule_id: rule.id,
      threshold: 3.5,
      comparator: '<',
      window_seconds: 5,
    });
    expect(firing!.json.value).toBeLessThan(3.5);
    expect(firing!.json.sample_trace_ids).toContain(s.trace_id);
    expect(resolved!.json.seq).toBe(2);
    expect(firing!.headers['idempotency-key']).toBe(firing!.json.id);
    expect(firing!.headers['idempotency-key']).not.toBe(resolved!.headers['idempotency-key']);
    for (const r of [firing!, resolved!])
      expect(validSignature(r.body, r.headers['x-tracehouse-signature'], rule.secret)).toBe(true);
    // Stored and listed.
    const listed = await api.request('GET', `/v2/alerts/events?rule_id=${rule.id}`);
    expect(listed.body.data.map((e: { kind: string }) => e.kind)).toEqual(['resolved', 'firing']);
  });

  it('name and tag filters match metrics posted before and after their span (joined in the alerter or from ClickHouse)', async () => {
    const dimension = uniqueName('score');
    const rule = await insertTestRule(stack.clickhouse, stack.projectId, {
      name: 'prod answers',
      source: { type: 'metric', dimension },
      filter: { name: 'generate_answer', tags: { env: 'prod' } },
      aggregation: 'count',
      window_seconds: 10,
      comparator: '>=',
      threshold: 4,
      channels: [{ type: 'webhook', url: receiver.url }],
    });
    await ruleArmed(rule.id);
    // After: A's metrics come after A and after another span took the alerters' one-span cache.
    const a = await span({ name: 'generate_answer', tags: { env: 'prod' } });
    const other = await span({ name: 'generate_answer', tags: { env: 'dev' } });
    await metric(a.id, dimension, 1);
    await metric(a.id, dimension, 1);
    // Before: B's metrics reach the alerters before B (spans and metrics travel on separate topics).
    const b = randomUUID();
    const now = new Date().toISOString();
    const base = {
      v: 1,
      version: Date.now() * 1000,
      project_id: stack.projectId,
      trace_id: b,
      received_at: now,
    };
    const metricEvent = (value: number) => ({
      ...base,
      kind: 'metric.upsert',
      id: randomUUID(),
      span_id: b,
      created_at: now,
      fields: { dimension, value, comment: null },
    });
    await produce(topics().metrics, b, [metricEvent(1), metricEvent(1)]);
    await until(
      () => alerters.map((x) => x.aggregator.pendingCount),
      (n) => n.every((c) => c > 0),
      10_000,
      'metrics waiting for their span',
    );
    await produce(topics().spans, b, [
      {
        ...base,
        kind: 'span.upsert',
        id: b,
        fields: { name: 'generate_answer', tags: { env: 'prod' }, start_time: now },
      },
    ]);
    // Not matching: a dev span and a prod span of another name.
    const wrongName = await span({ name: 'retrieve', tags: { env: 'prod' } });
    for (const id of [other.id, other.id, wrongName.id, wrongName.id]) await metric(id, dimension, 1);
    await until(
      () => kinds(rule.id),
      (k) => k.includes('firing'),
      30_000,
      'firing',
    );
    const owner = alerters.find((x) => x.ownership.owns(rule.id))!;
    // Exactly the four matching metrics are in the window: nothing from the non-matching spans.
    await until(
      () => owner.windows.evaluate(owner.rules.get(rule.id)!, Date.now())!.count,
      (n) => n >= 4,
      10_000,
      'count',
    );
    expect(owner.windows.evaluate(owner.rules.get(rule.id)!, Date.now())!.count).toBe(4);
    const traces = receiver.of(rule.id)[0]!.json.sample_trace_ids;
    expect(traces).toEqual(expect.arrayContaining([a.trace_id, b]));
  });

  it('a span rule matches by name and tags and measures the duration of spans carrying kilobytes of input', async () => {
    const rule = await insertTestRule(stack.clickhouse, stack.projectId, {
      name: 'slow prod answers',
      source: { type: 'span', signal: 'span.duration_ms' },
      filter: { name: 'generate_answer', tags: { env: 'prod' } },
      aggregation: 'max',
      window_seconds: 10,
      comparator: '>',
      threshold: 500,
      channels: [{ type: 'webhook', url: receiver.url }],
    });
    await ruleArmed(rule.id);
    const end = Date.now();
    // Spans the size of real LLM calls; one of another environment must not count.
    const long = { input: 'a long prompt '.repeat(2_000), output: 'a long answer '.repeat(2_000) };
    const times = { start_time: new Date(end - 900).toISOString(), end_time: new Date(end).toISOString() };
    const s = await span({ name: 'generate_answer', tags: { env: 'prod' }, ...times, ...long });
    await span({
      name: 'generate_answer',
      tags: { env: 'dev' },
      ...times,
      ...long,
      start_time: new Date(end - 5_000).toISOString(),
    });
    await until(
      () => kinds(rule.id),
      (k) => k.includes('firing'),
      30_000,
      'firing',
    );
    const [firing] = receiver.of(rule.id);
    expect(firing!.json.value).toBe(900);
    expect(firing!.json.sample_trace_ids).toEqual([s.trace_id]);
  });

  it('a p95 over a window agrees with the exact value within the sketch error (1 % of the rank value)', async () => {
    const dimension = uniqueName('latency_ms');
    const rule = await insertTestRule(stack.clickhouse, stack.projectId, {
      name: 'p95 latency',
      source: { type: 'metric', dimension },
      aggregation: 'p95',
      window_seconds: 20,
      comparator: '>',
      threshold: 1e12,
    });
    await ruleArmed(rule.id);
    const s = await span({ name: 'llm_call' });
    // 300 values (the alerters keep exact values only up to 50): the sketch answers.
    const values = [...Array(300).keys()].map(
      (i) => Math.round(Math.exp(3 + ((i * 37) % 300) / 50) * 100) / 100,
    );
    const items = values.map((value) => ({
      type: 'metric.create',
      span_id: s.id,
      body: { dimension, value },
    }));
    expect((await api.request('POST', '/v2/ingest', { items })).status).toBe(200);
    const sorted = [...values].sort((x, y) => x - y);
    const pos = 0.95 * (sorted.length - 1);
    for (const a of alerters) {
      const w = await until(
        () => a.windows.evaluate(a.rules.get(rule.id)!, Date.now() + 2_000)!,
        (x) => x.count === 300,
        20_000,
        'all values in the window',
      );
      expect(w.value!).toBeGreaterThanOrEqual(sorted[Math.floor(pos)]! * 0.99);
      expect(w.value!).toBeLessThanOrEqual(sorted[Math.ceil(pos)]! * 1.01);
      expect(Math.abs(w.value! - aggregateExact(values, 'p95')!)).toBeLessThanOrEqual(
        aggregateExact(values, 'p95')! * 0.03,
      );
    }
  });

  it('a receiver that answers 500 three times gets the event later with the same idempotency key and a valid signature', async () => {
    const flaky = await WebhookReceiver.start();
    try {
      flaky.failuresLeft = 3;
      const dimension = uniqueName('errors');
      const rule = await insertTestRule(stack.clickhouse, stack.projectId, {
        name: 'flaky receiver',
        source: { type: 'metric', dimension },
        aggregation: 'max',
        window_seconds: 5,
        comparator: '>',
        threshold: 10,
        channels: [{ type: 'webhook', url: flaky.url }],
      });
      await ruleArmed(rule.id);
      const s = await span({ name: 'x' });
      await metric(s.id, dimension, 50);
      const got = await until(
        () => flaky.of(rule.id),
        (r) => r.some((q) => q.status === 200),
        30_000,
        'delivered',
      );
      expect(got.map((r) => r.status)).toEqual([500, 500, 500, 200]);
      expect(new Set(got.map((r) => r.headers['idempotency-key'])).size).toBe(1);
      for (const r of got)
        expect(validSignature(r.body, r.headers['x-tracehouse-signature'], rule.secret)).toBe(true);
      // Every attempt is recorded.
      const attempts = await until(
        async () => {
          const rs = await stack.clickhouse.query({
            query:
              'SELECT attempt, outcome, http_status FROM alert_deliveries WHERE rule_id = {r:UUID} ORDER BY attempt',
            query_params: { r: rule.id },
            format: 'JSONEachRow',
          });
          return rs.json<{ attempt: number; outcome: string; http_status: number }>();
        },
        (rows) => rows.length === 4,
        10_000,
        'attempts recorded',
      );
      expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'delivered']);
    } finally {
      await flaky.close();
    }
  });
});
