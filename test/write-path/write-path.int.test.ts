import { projectHeader, topicNames } from '@tracehouse/shared';
import { testKafka } from '@tracehouse/test-support/clients';
import { uniqueName } from '@tracehouse/test-support/names';
import { Stack, type Stack as StackType } from '@tracehouse/test-support/stack';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient, pool, postTrace } from './helpers.js';

describe('write path: ingest → Kafka → writer → ClickHouse', () => {
  let stack: StackType;
  let a: IngestClient;
  let b: IngestClient;
  let firstApp: FastifyInstance;

  beforeAll(async () => {
    stack = await Stack.create();
    // Two ingest processes side by side (each with its own producer and span index).
    const first = await stack.startIngest();
    const second = await stack.startIngest();
    await stack.startWriter();
    firstApp = first.app;
    a = injectClient(first.app, stack.apiKey);
    b = injectClient(second.app, stack.apiKey);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('10,000 spans over 500 traces and 5,000 metrics are each stored exactly once, children in their parent trace', async () => {
    const traces: { id: string; traceId: string; parentId: string | null }[][] = new Array(500);
    await pool([...Array(500).keys()], 40, async (t) => {
      traces[t] = await postTrace([a, b], t, 20);
    });
    const spans = traces.flat();
    expect(spans).toHaveLength(10_000);
    // The API answered every child with its root's trace id.
    for (const trace of traces) expect(new Set(trace.map((s) => s.traceId))).toEqual(new Set([trace[0]!.id]));

    await pool([...Array(5_000).keys()], 40, async (m) => {
      const target = spans[(m * 7) % spans.length]!;
      const res = await (m % 2 ? a : b).request('POST', `/v2/spans/${target.id}/metrics`, {
        dimension: m % 3 ? 'quality_score' : 'latency_ms',
        value: m,
      });
      expect(res.status).toBe(200);
    });

    const counts = await stack.eventually(
      () => stack.spanCounts(),
      (c) => c.unique >= 10_000,
    );
    expect(counts).toEqual({ rows: 10_000, unique: 10_000 });

    const metrics = await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: `SELECT count() AS n, uniqExact(metric_id) AS u, sum(value) AS s FROM span_metrics FINAL
                  WHERE project_id = {p:UUID}`,
          query_params: { p: stack.projectId },
          format: 'JSONEachRow',
        });
        return (await rs.json<{ n: string; u: string; s: number }>())[0]!;
      },
      (m) => Number(m.u) >= 5_000,
    );
    expect(metrics).toEqual({ n: '5000', u: '5000', s: (4_999 * 5_000) / 2 });

    // Stored children sit in their parent's trace.
    const rs = await stack.clickhouse.query({
      query: `SELECT countIf(c.trace_id != p.trace_id) AS wrong, count() AS children
              FROM (SELECT span_id, trace_id, parent_id FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND parent_id IS NOT NULL) AS c
              INNER JOIN (SELECT span_id, trace_id FROM spans_v2 FINAL WHERE project_id = {p:UUID}) AS p
              ON c.parent_id = p.span_id`,
      query_params: { p: stack.projectId },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ wrong: '0', children: '9500' }]);

    const summaries = await stack.eventually(
      async () => {
        const r = await stack.clickhouse.query({
          query: `SELECT count() AS traces, min(span_count) AS lo, max(span_count) AS hi, countIf(name LIKE 'trace-%') AS named
                  FROM trace_summaries FINAL WHERE project_id = {p:UUID}`,
          query_params: { p: stack.projectId },
          format: 'JSONEachRow',
        });
        return (await r.json<Record<string, string | number>>())[0]!;
      },
      (s) => Number(s.lo) === 20,
    );
    expect(summaries).toEqual({ traces: '500', lo: 20, hi: 20, named: '500' });
  });

  it('stores long inputs and outputs as JSON.stringify writes them, however the client escaped them', async () => {
    const text = 'naïve "quoted" back\\slash 🙂\n\t'.repeat(80);
    const object = { messages: [{ role: 'user', content: 'x"y\\z '.repeat(400) }] };
    const [s1, s2, s3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const batch = {
      items: [
        { type: 'span.create', body: { id: s1, name: 'kept as bytes', input: text, output: object } },
        { type: 'span.create', body: { id: s2, name: 'escaped by the client', input: `café ${text}` } },
        { type: 'span.update', span_id: s1, body: { meta: { note: text } } },
      ],
    };
    // A client that writes non-ASCII as \u escapes (Python's json.dumps does by default).
    const payload = JSON.stringify(batch).replaceAll('é', '\\u00e9').replaceAll('ï', '\\u00ef');
    expect(payload).toContain('caf\\u00e9');
    const ingested = await firstApp.inject({
      method: 'POST',
      url: '/v2/ingest',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      payload,
    });
    expect(ingested.statusCode).toBe(200);
    expect(JSON.parse(ingested.body).accepted).toBe(3);
    const created = await a.request('POST', '/v2/spans', { id: s3, name: 'single', input: text });
    expect(created.body.input).toBe(text);
    const patched = await b.request('PATCH', `/v2/spans/${s3}`, { output: text });
    expect(patched.body.output).toBe(text);

    const rows = await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: `SELECT span_id, input, output, meta FROM spans_v2 FINAL
                  WHERE project_id = {p:UUID} AND span_id IN ({ids:Array(UUID)}) ORDER BY name`,
          query_params: { p: stack.projectId, ids: [s1, s2, s3] },
          format: 'JSONEachRow',
        });
        return rs.json<Record<string, unknown>>();
      },
      (r) => r.length === 3 && Object.hasOwn(r[1]?.meta ?? {}, 'note') && r[2]?.output !== null,
    );
    expect(rows).toEqual([
      { span_id: s2, input: JSON.stringify(`café ${text}`), output: null, meta: {} },
      {
        span_id: s1,
        input: JSON.stringify(text),
        output: JSON.stringify(object),
        meta: { note: JSON.stringify(text) },
      },
      { span_id: s3, input: JSON.stringify(text), output: JSON.stringify(text), meta: {} },
    ]);
  });

  it('merges a later patch of meta, end_time and output into the one stored span', async () => {
    const created = await a.request('POST', '/v2/spans', {
      name: 'generate',
      start_time: '2025-03-01T10:00:00.000001',
      input: 'question',
      meta: { model: 'gpt', attempt: 1 },
      tags: { environment: 'dev' },
    });
    expect(created.status).toBe(200);
    const id = created.body.id;
    const patched = await b.request('PATCH', `/v2/spans/${id}`, {
      meta: { attempt: 2, reviewer: 'ann' },
      end_time: '2025-03-01T10:00:02.5Z',
      output: 'answer',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'generate', trace_id: id, output: 'answer' });
    const feedback = await a.request('POST', `/v2/spans/${id}/feedback`, { score: 0.75, comment: 'good' });
    expect(feedback).toEqual({
      status: 200,
      body: { span_id: id, score: 0.75, comment: 'good', example_saved: false },
    });

    const rows = await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: `SELECT name, start_time, end_time, input, output, meta, tags, feedback_score, feedback_comment
                  FROM spans_v2 FINAL
                  WHERE project_id = {p:UUID} AND span_id = {s:UUID}`,
          query_params: { p: stack.projectId, s: id },
          format: 'JSONEachRow',
        });
        return rs.json<Record<string, unknown>>();
      },
      (r) => r.length === 1 && r[0]!.output !== null && r[0]!.feedback_score !== null,
    );
    expect(rows).toEqual([
      {
        name: 'generate',
        start_time: '2025-03-01 10:00:00.000001',
        end_time: '2025-03-01 10:00:02.500000',
        input: '"question"',
        output: '"answer"',
        meta: { model: '"gpt"', attempt: '2', reviewer: '"ann"' },
        tags: { environment: 'dev' },
        feedback_score: 0.75,
        feedback_comment: 'good',
      },
    ]);
  });

  it('updates a metric right after creating it (read-your-writes), then deletes it', async () => {
    const span = await a.request('POST', '/v2/spans', { name: 'scored' });
    const metric = await a.request('POST', `/v2/spans/${span.body.id}/metrics`, {
      dimension: 'quality',
      value: 3,
    });
    expect(metric.body).toMatchObject({
      span_id: span.body.id,
      dimension: 'quality',
      value: 3,
      comment: null,
    });
    const updated = await b.request('PATCH', `/v2/spans/${span.body.id}/metrics/${metric.body.id}`, {
      value: 4.5,
      comment: 'rechecked',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ ...metric.body, value: 4.5, comment: 'rechecked' });
    const read = () =>
      stack.clickhouse
        .query({
          query: `SELECT value, comment FROM span_metrics FINAL WHERE project_id = {p:UUID} AND metric_id = {m:UUID}`,
          query_params: { p: stack.projectId, m: metric.body.id },
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<{ value: number; comment: string | null }>());
    expect(await stack.eventually(read, (rows) => rows[0]?.value === 4.5)).toEqual([
      { value: 4.5, comment: 'rechecked' },
    ]);
    expect((await a.request('DELETE', `/v2/spans/${span.body.id}/metrics/${metric.body.id}`)).status).toBe(
      204,
    );
    expect(await stack.eventually(read, (rows) => rows.length === 0)).toEqual([]);
  });

  it('saves a span as a dataset example (201): after the span by default, by name, and from feedback', async () => {
    const span = await a.request('POST', '/v2/spans', {
      name: 'summarize',
      input: { doc: 'long text' },
      output: 'short',
    });
    // Right after the create: saving waits for the writer to store the span.
    const saved = await b.request('POST', `/v2/spans/${span.body.id}/save_examples`);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      input: '{"doc":"long text"}',
      output: 'short',
      expected: null,
      comment: null,
    });
    const named = await a.request('POST', `/v2/spans/${span.body.id}/save_examples`, {
      dataset_name: 'golden',
    });
    expect(named.status).toBe(201);
    expect(named.body.dataset_id).not.toBe(saved.body.dataset_id);
    const rated = await a.request('POST', `/v2/spans/${span.body.id}/feedback`, {
      score: 1,
      comment: 'great',
      save_to_dataset: true,
    });
    expect(rated.body).toMatchObject({ score: 1, comment: 'great', example_saved: true });

    const stored = await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: `SELECT d.name AS dataset, e.input AS input, e.output AS output, e.comment AS comment,
                         toString(e.span_id) AS span_id
                  FROM (SELECT * FROM dataset_entries FINAL WHERE project_id = {p:UUID}) AS e
                  INNER JOIN (SELECT dataset_id, name FROM datasets FINAL WHERE project_id = {p:UUID}) AS d
                  ON e.dataset_id = d.dataset_id
                  ORDER BY dataset, comment`,
          query_params: { p: stack.projectId },
          format: 'JSONEachRow',
        });
        return rs.json<Record<string, string | null>>();
      },
      (rows) => rows.length >= 3,
    );
    const example = { input: '{"doc":"long text"}', output: 'short', span_id: span.body.id };
    expect(stored).toEqual([
      { dataset: 'golden', comment: null, ...example },
      { dataset: 'summarize', comment: 'great', ...example },
      { dataset: 'summarize', comment: null, ...example },
    ]);
  });

  it('routes a malformed message on the topic to the dead-letter topic and keeps flowing', async () => {
    const topics = topicNames(stack.env.TOPIC_PREFIX);
    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    const marker = uniqueName('poison');
    await producer.send({
      topic: topics.spans,
      messages: [{ key: 'x', value: `{"not":"a span","marker":"${marker}"}` }],
    });
    await producer.disconnect();

    const after = await a.request('POST', '/v2/spans', { name: 'after-poison' });
    expect(after.status).toBe(200);

    const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.deadLetter, fromBeginning: true });
    const letter = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no dead letter')), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(String(message.value));
          if (String(value.value).includes(marker)) {
            clearTimeout(timer);
            resolve(value);
          }
        },
      });
    });
    await consumer.disconnect();
    expect(letter).toMatchObject({
      source_topic: topics.spans,
      reason: expect.stringMatching(/not a SpanEvent/),
    });

    const stored = await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: 'SELECT count() AS n FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND span_id = {s:UUID}',
          query_params: { p: stack.projectId, s: after.body.id },
          format: 'JSONEachRow',
        });
        return (await rs.json<{ n: string }>())[0]!.n;
      },
      (n) => n === '1',
    );
    expect(stored).toBe('1');
  });

  it('a spans-topic record names its project in a header (the alerter skips projects without rules)', async () => {
    const marker = uniqueName('headed');
    const root = await a.request('POST', '/v2/spans', { name: marker });
    expect(root.status).toBe(200);
    await a.request('POST', `/v2/spans/${root.body.id}/metrics`, { dimension: 'q', value: 1 });

    const consumer = testKafka().consumer({ groupId: uniqueName('header-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: topicNames(stack.env.TOPIC_PREFIX).spans, fromBeginning: true });
    const records: { project: string | undefined; events: { project_id: string; kind: string }[] }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the records were never read')), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = String(message.value);
          if (!value.includes(root.body.trace_id)) return;
          const events = JSON.parse(value);
          records.push({ project: message.headers?.[projectHeader]?.toString(), events });
          if (records.flatMap((r) => r.events).length >= 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(records.flatMap((r) => r.events.map((e) => e.kind)).sort()).toEqual([
      'metric.upsert',
      'span.upsert',
    ]);
    for (const r of records) {
      expect(r.project).toBe(stack.projectId);
      for (const e of r.events) expect(e.project_id).toBe(stack.projectId);
    }
  });

  it('deleting a span hides it and its metrics', async () => {
    const span = await a.request('POST', '/v2/spans', { name: 'to-delete' });
    const metric = await a.request('POST', `/v2/spans/${span.body.id}/metrics`, { dimension: 'x', value: 1 });
    expect(metric.status).toBe(200);
    expect((await b.request('DELETE', `/v2/spans/${span.body.id}`)).status).toBe(204);
    const left = await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: `SELECT (SELECT count() FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND span_id = {s:UUID}) AS spans,
                         (SELECT count() FROM span_metrics FINAL WHERE project_id = {p:UUID} AND span_id = {s:UUID}) AS metrics`,
          query_params: { p: stack.projectId, s: span.body.id },
          format: 'JSONEachRow',
        });
        return (await rs.json<{ spans: string; metrics: string }>())[0]!;
      },
      (r) => r.spans === '0' && r.metrics === '0',
    );
    expect(left).toEqual({ spans: '0', metrics: '0' });
    // A deleted span takes no more writes: at once in the process that deleted it, and in another once
    // that one has read the delete from the index topic, as any read there does first (docs/WRITE-PATH.md §2).
    expect((await b.request('PATCH', `/v2/spans/${span.body.id}`, { name: 'x' })).status).toBe(404);
    expect((await a.request('GET', `/v2/spans/${span.body.id}`)).status).toBe(404);
    expect((await a.request('PATCH', `/v2/spans/${span.body.id}`, { name: 'x' })).status).toBe(404);
  });

  it('indexes a trace under its current start only, as a span starting earlier arrives and as spans go', async () => {
    const root = await a.request('POST', '/v2/spans', {
      name: 'moving-root',
      start_time: '2025-04-01T10:00:05Z',
      tags: { suite: 'index-move' },
    });
    const traceId = root.body.trace_id;
    // Where the trace is indexed (live rows) and what search shows, once both agree with `want`.
    const indexed = async () => {
      const rs = await stack.clickhouse.query({
        query: `SELECT toString(start_time) AS start FROM trace_index FINAL
                WHERE project_id = {p:UUID} AND trace_id = {t:UUID}`,
        query_params: { p: stack.projectId, t: traceId },
        format: 'JSONEachRow',
      });
      const rows = await rs.json<{ start: string }>();
      const found = await b.request('POST', '/v2/search/traces', {
        filter: { tags: { suite: 'index-move' }, from: '2025-04-01T00:00:00Z', to: '2025-04-02T00:00:00Z' },
      });
      return {
        index: rows.map((r) => r.start),
        search: found.body.data.map((t: { start_time: string }) => t.start_time),
      };
    };
    const settles = async (want: { index: string[]; search: string[] }) =>
      expect(await stack.eventually(indexed, (r) => JSON.stringify(r) === JSON.stringify(want))).toEqual(
        want,
      );
    await settles({ index: ['2025-04-01 10:00:05.000000'], search: ['2025-04-01T10:00:05.000000Z'] });

    // A child that started two seconds earlier: the trace moves, and its old index row goes.
    const child = await b.request('POST', '/v2/spans', {
      name: 'early-child',
      trace_id: traceId,
      parent_id: root.body.id,
      start_time: '2025-04-01T10:00:03Z',
    });
    expect(child.status).toBe(200);
    await settles({ index: ['2025-04-01 10:00:03.000000'], search: ['2025-04-01T10:00:03.000000Z'] });

    // No live span left: neither index nor search holds the trace.
    expect((await a.request('DELETE', `/v2/spans/${child.body.id}`)).status).toBe(204);
    expect((await a.request('DELETE', `/v2/spans/${root.body.id}`)).status).toBe(204);
    await settles({ index: [], search: [] });
  });
});
