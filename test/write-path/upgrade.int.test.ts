import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { topicNames } from '@tracehouse/shared';
import {
  createApiKey,
  ensureProject,
  insertSpanMetrics,
  migrate,
  migrationsDir,
} from '@tracehouse/shared/node';
import {
  testClickHouse,
  testClickHouseConnection,
  testKafka,
  testLogger,
} from '@tracehouse/test-support/clients';
import { uniqueName } from '@tracehouse/test-support/names';
import { storedAt, storedSpanRow } from '@tracehouse/test-support/rows';
import { Stack } from '@tracehouse/test-support/stack';
import { afterEach, describe, expect, it } from 'vitest';
import { injectClient } from './helpers.js';

const t0 = storedAt;

const iso = '2026-01-01T00:00:00.000000Z';

describe('upgrade: a database and topics written by the previous version', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('migrates with nothing lost, and the writer reads old records and merges into old rows', async () => {
    // The previous version's schema: migrations 0001-0004.
    const database = uniqueName('th_upgrade');
    const oldDir = await mkdtemp(join(tmpdir(), 'th-old-migrations-'));
    for (const file of (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql') && f < '0005'))
      await copyFile(join(migrationsDir, file), join(oldDir, file));
    await migrate({ ...testClickHouseConnection(), database, logger: testLogger, dir: oldDir });
    const old = testClickHouse(database);
    const project = (await ensureProject(old, uniqueName('old'))).id;
    const [t1, s1, m1, t2, s2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    // T1: a stored root with its summary and a metric. T2: only a pending patch (no create yet), which
    // the previous writer stored without a summary.
    // Into `spans`, as the previous version wrote (migration 0015 copies it to `spans_v2`).
    await insertOldSpans(old, [
      storedSpanRow(
        { project, trace: t1, span: s1 },
        { name: 'old-root', input: '{"q":1}', end_time: t0, status: 'ok' },
      ),
    ]);
    // The previous version's summary table, `traces` (migration 0011 copies it to `trace_summaries`).
    const oldSummary = (changes: { start_time: string; span_count: number; version: number }) => ({
      project_id: project,
      trace_id: t1,
      root_span_id: s1,
      name: 'old-root',
      end_time: t0,
      duration_ms: 0,
      status: 'ok',
      error_count: 0,
      total_tokens: 0,
      total_cost: 0,
      input: '{"q":1}',
      output: null,
      tags: { env: 'old' },
      received_at: t0,
      spans_version: changes.version,
      deleted: 0,
      ...changes,
    });
    await old.insert({
      table: 'traces',
      format: 'JSONEachRow',
      values: [oldSummary({ start_time: t0, span_count: 1, version: 1_000 })],
    });
    const metric = {
      project_id: project,
      trace_id: t1,
      span_id: s1,
      created_at: t0,
      received_at: t0,
      comment: null,
    };
    await insertSpanMetrics(old, [
      { ...metric, metric_id: m1, dimension: 'old', value: 1, version: 1_000, deleted: 0 },
    ]);
    await insertOldSpans(old, [storedSpanRow({ project, trace: t2, span: s2 }, { output: '"late"' })]);
    await old.close();

    // Records the previous ingest left in Kafka: one event per record, metrics on their own topic.
    const prefix = uniqueName('th');
    const topics = topicNames(prefix);
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: topics.spans }, { topic: topics.metrics }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const base = { v: 1, project_id: project, trace_id: t1, received_at: iso };
    await producer.send({
      topic: topics.spans,
      messages: [
        {
          key: t1,
          value: JSON.stringify({
            ...base,
            kind: 'span.patch',
            id: s1,
            version: 2_000,
            fields: { meta: { upgraded: true } },
          }),
        },
      ],
    });
    const m2 = randomUUID();
    await producer.send({
      topic: topics.metrics,
      messages: [
        {
          key: t1,
          value: JSON.stringify({
            ...base,
            kind: 'metric.upsert',
            id: m2,
            span_id: s1,
            version: 2_001,
            created_at: iso,
            fields: { dimension: 'new', value: 2 },
          }),
        },
      ],
    });
    await producer.disconnect();

    // The new version starts on the same database and topics: migrations run, then the services.
    stack = await Stack.create({ env: { CLICKHOUSE_DATABASE: database, TOPIC_PREFIX: prefix } });
    const s = stack;
    const key = (await createApiKey(s.clickhouse, project)).key;
    const api = injectClient((await s.startIngest()).app, key);

    // Before any new writer runs: the old summary was copied and indexed by the migration, so trace
    // search finds it by its tag, and the trace list shows it.
    const found = await api.request('POST', '/v2/search/traces', {
      filter: { tags: { env: 'old' }, from: '2025-12-31T00:00:00Z', to: '2026-01-02T00:00:00Z' },
    });
    expect(found.body.data.map((t: { id: string }) => t.id)).toEqual([t1]);
    expect((await api.request('GET', '/v2/traces')).body.data).toMatchObject([{ id: t1, name: 'old-root' }]);

    // A writer of the previous version, still running during a rolling upgrade, writes `traces`: a
    // summary that moves T1's start a second earlier. The view forwarding it names the start it
    // replaces, so search lists T1 once, at its new start, from the index alone (migration 0012).
    await s.clickhouse.insert({
      table: 'traces',
      format: 'JSONEachRow',
      values: [oldSummary({ start_time: '2025-12-31 23:59:59.000000', span_count: 2, version: 1_500 })],
    });
    const moved = await api.request('POST', '/v2/search/traces', {
      filter: { tags: { env: 'old' }, from: '2025-12-31T00:00:00Z', to: '2026-01-02T00:00:00Z' },
    });
    expect(moved.body.data).toEqual([
      expect.objectContaining({
        id: t1,
        start_time: '2025-12-31T23:59:59.000000Z',
        span_count: 2,
        input: '{"q":1}',
        input_truncated: false,
      }),
    ]);
    // It also writes spans into `spans`: the view of migration 0015 forwards them to `spans_v2`.
    const [t3, s3] = [randomUUID(), randomUUID()];
    await insertOldSpans(s.clickhouse, [
      storedSpanRow({ project, trace: t3, span: s3 }, { name: 'old-writer' }),
    ]);
    expect((await api.request('GET', `/v2/spans/${s3}`)).body).toMatchObject({ id: s3, name: 'old-writer' });
    await s.startWriter();

    // The old patch and the old metric record were applied onto the stored rows.
    const span1 = await s.eventually(
      () => api.request('GET', `/v2/spans/${s1}`),
      (r) => r.status === 200 && r.body.meta?.upgraded === true,
    );
    expect(span1.body).toMatchObject({ name: 'old-root', input: { q: 1 }, meta: { upgraded: true } });
    const metrics = await s.eventually(
      () => api.request('GET', `/v2/spans/${s1}/metrics`),
      (r) => r.body?.data?.length === 2,
    );
    expect(metrics.body.data.map((m: { dimension: string }) => m.dimension).sort()).toEqual(['new', 'old']);

    // The pending patch of T2 is merged into its create, not overwritten by it.
    const created = await api.request('POST', '/v2/spans', { id: s2, trace_id: t2, name: 'new-root' });
    expect(created.status).toBe(200);
    const span2 = await api.request('GET', `/v2/spans/${s2}`);
    expect(span2.body).toMatchObject({ name: 'new-root', output: 'late' });

    // Metrics written before migration 0006 carry their span's attributes: analytics find them.
    const analytics = await api.request('POST', '/v2/analytics/metrics', {
      dimension: 'old',
      filter: { from: '2025-12-31T00:00:00Z', to: '2026-01-02T00:00:00Z', name: 'old-root' },
      aggregations: ['count'],
    });
    expect(analytics.body.buckets).toEqual([expect.objectContaining({ count: 1 })]);

    const traces = await s.eventually(
      () => api.request('GET', '/v2/traces'),
      (r) => r.body?.data?.length === 2,
    );
    expect(traces.body.data.map((t: { name: string }) => t.name).sort()).toEqual(['new-root', 'old-root']);
  });
});

const insertOldSpans = (client: ClickHouseClient, rows: object[]) =>
  client.insert({ table: 'spans', values: rows, format: 'JSONEachRow' });
