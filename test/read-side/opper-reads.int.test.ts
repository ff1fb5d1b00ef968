import {
  DatasetEntryView,
  DatasetView,
  listOf,
  MetricView,
  SpanView,
  TraceDetail,
  TraceSummary,
} from '@tracehouse/shared';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient } from '../write-path/helpers.js';

/**
 * Every Opper read on the real stack. Writes go through one ingest process and reads through another
 * right away, without polling: read-your-writes must hold across processes.
 */
describe('Opper v2 reads', () => {
  let stack: Stack;
  let a: IngestClient;
  let b: IngestClient;
  let other: IngestClient;
  let anonymous: IngestClient;

  beforeAll(async () => {
    stack = await Stack.create();
    const first = await stack.startIngest();
    const second = await stack.startIngest();
    await stack.startWriter();
    a = injectClient(first.app, stack.apiKey);
    b = injectClient(second.app, stack.apiKey);
    other = injectClient(second.app, (await stack.otherProjectKey()).key);
    anonymous = {
      request: async (method, url) => {
        const res = await second.app.inject({ method, url });
        return { status: res.statusCode, body: res.json() };
      },
    };
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('a span is readable from another process the moment it is acknowledged, with every later write', async () => {
    const root = await a.request('POST', '/v2/spans', {
      name: 'pipeline',
      input: { question: 'why?' },
      meta: { customer: 'acme' },
      tags: { environment: 'production' },
      start_time: '2026-01-01T10:00:00.000Z',
      end_time: '2026-01-01T10:00:01.500Z',
      score: 4,
    });
    expect(root.status).toBe(200);
    const got = await b.request('GET', `/v2/spans/${root.body.id}`);
    expect(got.status).toBe(200);
    const span = SpanView.parse(got.body);
    expect(span).toMatchObject({
      id: root.body.id,
      trace_id: root.body.id,
      name: 'pipeline',
      input: { question: 'why?' },
      meta: { customer: 'acme' },
      tags: { environment: 'production' },
      score: 4,
      duration_ms: 1500,
      feedback: null,
      start_time: '2026-01-01T10:00:00.000000Z',
    });

    const patched = await a.request('PATCH', `/v2/spans/${root.body.id}`, { meta: { reviewed: true } });
    expect(patched.status).toBe(200);
    // The update answers with the whole merged span, not only what the patch set.
    expect(SpanView.parse(patched.body)).toMatchObject({
      meta: { customer: 'acme', reviewed: true },
      input: { question: 'why?' },
      start_time: '2026-01-01T10:00:00.000000Z',
    });
    const after = SpanView.parse((await b.request('GET', `/v2/spans/${root.body.id}`)).body);
    expect(after.meta).toEqual({ customer: 'acme', reviewed: true });

    const fb = await a.request('POST', `/v2/spans/${root.body.id}/feedback`, { score: 1, comment: 'great' });
    expect(fb.status).toBe(200);
    expect(SpanView.parse((await b.request('GET', `/v2/spans/${root.body.id}`)).body).feedback).toEqual({
      score: 1,
      comment: 'great',
    });

    const cleared = await a.request('PATCH', `/v2/spans/${root.body.id}`, { meta: null, tags: null });
    expect(cleared.body).toMatchObject({ meta: null, tags: {}, name: 'pipeline' });
    expect(SpanView.parse((await b.request('GET', `/v2/spans/${root.body.id}`)).body).meta).toBeNull();
  });

  it('metrics: listed, read, updated and deleted with read-your-writes', async () => {
    const span = await a.request('POST', '/v2/spans', { name: 'scored' });
    const created = await a.request('POST', `/v2/spans/${span.body.id}/metrics`, {
      dimension: 'quality_score',
      value: 4.5,
      comment: 'fine',
    });
    expect(created.status).toBe(200);
    await a.request('POST', `/v2/spans/${span.body.id}/metrics`, { dimension: 'latency_ms', value: 320 });

    const list = listOf(MetricView).parse((await b.request('GET', `/v2/spans/${span.body.id}/metrics`)).body);
    expect(list.meta.total_count).toBe(2);
    expect(list.data.map((m) => [m.dimension, m.value]).sort()).toEqual([
      ['latency_ms', 320],
      ['quality_score', 4.5],
    ]);
    const page = listOf(MetricView).parse(
      (await b.request('GET', `/v2/spans/${span.body.id}/metrics?limit=1&offset=1`)).body,
    );
    expect(page).toMatchObject({ meta: { total_count: 2 } });
    expect(page.data).toHaveLength(1);

    const one = await b.request('GET', `/v2/spans/${span.body.id}/metrics/${created.body.id}`);
    expect(MetricView.parse(one.body)).toMatchObject({ id: created.body.id, value: 4.5, comment: 'fine' });

    const updated = await b.request('PATCH', `/v2/spans/${span.body.id}/metrics/${created.body.id}`, {
      value: 3,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, value: 3, dimension: 'quality_score' });
    expect((await a.request('GET', `/v2/spans/${span.body.id}/metrics/${created.body.id}`)).body.value).toBe(
      3,
    );

    expect((await a.request('DELETE', `/v2/spans/${span.body.id}/metrics/${created.body.id}`)).status).toBe(
      204,
    );
    expect((await b.request('GET', `/v2/spans/${span.body.id}/metrics/${created.body.id}`)).status).toBe(404);
    const rest = listOf(MetricView).parse((await b.request('GET', `/v2/spans/${span.body.id}/metrics`)).body);
    expect(rest.data.map((m) => m.dimension)).toEqual(['latency_ms']);
  });

  it('traces: listed (also by name) and opened with spans, metrics, tags and the tree', async () => {
    const name = `trace-${Date.now()}`;
    const root = await a.request('POST', '/v2/spans', {
      name,
      input: 'hello',
      tags: { environment: 'staging' },
      start_time: '2026-01-02T10:00:00Z',
      end_time: '2026-01-02T10:00:02Z',
    });
    const child = await b.request('POST', '/v2/spans', {
      name: 'llm-call',
      parent_id: root.body.id,
      input: { prompt: 'p' },
      output: 'answer',
      tags: { model: 'gpt' },
      usage: { total_tokens: 42 },
      start_time: '2026-01-02T10:00:00.500Z',
      end_time: '2026-01-02T10:00:01Z',
    });
    const grandchild = await a.request('POST', '/v2/spans', { name: 'parse', parent_id: child.body.id });
    expect(grandchild.body.trace_id).toBe(root.body.id);
    await b.request('POST', `/v2/spans/${child.body.id}/metrics`, { dimension: 'quality_score', value: 5 });

    const detail = TraceDetail.parse((await b.request('GET', `/v2/traces/${root.body.id}?tree=true`)).body);
    expect(detail).toMatchObject({
      id: root.body.id,
      name,
      input: 'hello',
      span_count: 3,
      total_tokens: 42,
      root_span_id: root.body.id,
    });
    const llm = detail.spans.find((s) => s.id === child.body.id)!;
    expect(llm).toMatchObject({ duration_ms: 500, parent_id: root.body.id });
    expect(llm.data).toMatchObject({
      input: '{"prompt":"p"}',
      output: 'answer',
      tags: ['model:gpt'],
      total_tokens: 42,
    });
    expect(llm.metrics.map((m) => [m.dimension, m.value])).toEqual([['quality_score', 5]]);
    expect(detail.tree).toHaveLength(1);
    expect(detail.tree![0]!.children[0]!.children[0]!.id).toBe(grandchild.body.id);
    // Its spans are stored now and a new metric is not yet: the spans must not pass for proof that the
    // trace is fresh (the read waits for the metric).
    await a.request('POST', `/v2/spans/${grandchild.body.id}/metrics`, { dimension: 'latency_ms', value: 7 });
    const again = TraceDetail.parse((await b.request('GET', `/v2/traces/${root.body.id}`)).body);
    const parse = again.spans.find((s) => s.id === grandchild.body.id)!;
    expect(parse.metrics.map((m) => [m.dimension, m.value])).toEqual([['latency_ms', 7]]);
    // Each metric as its newest row says: the updated value, and the deleted one gone.
    await a.request('PATCH', `/v2/spans/${child.body.id}/metrics/${llm.metrics[0]!.id}`, { value: 2 });
    await b.request('DELETE', `/v2/spans/${grandchild.body.id}/metrics/${parse.metrics[0]!.id}`);
    const latest = TraceDetail.parse((await a.request('GET', `/v2/traces/${root.body.id}`)).body);
    expect(latest.spans.flatMap((s) => s.metrics.map((m) => [s.id, m.dimension, m.value]))).toEqual([
      [child.body.id, 'quality_score', 2],
    ]);

    const listed = listOf(TraceSummary).parse((await a.request('GET', '/v2/traces')).body);
    expect(listed.data.map((t) => t.id)).toContain(root.body.id);
    const byName = listOf(TraceSummary).parse(
      (await b.request('GET', `/v2/traces?name=${encodeURIComponent(name)}`)).body,
    );
    expect(byName.meta.total_count).toBe(1);
    expect(byName.data[0]).toMatchObject({ id: root.body.id, name, duration_ms: 2000, input: 'hello' });
  });

  it('datasets: saved examples and entries are read back, written, queried, exported and deleted', async () => {
    const span = await a.request('POST', '/v2/spans', {
      name: `qa-${Date.now()}`,
      input: { q: 1 },
      output: 'yes',
    });
    const saved = await a.request('POST', `/v2/spans/${span.body.id}/save_examples`);
    expect(saved.status).toBe(201);
    const datasetId = saved.body.dataset_id;

    const entries = listOf(DatasetEntryView).parse(
      (await b.request('GET', `/v2/datasets/${datasetId}/entries`)).body,
    );
    expect(entries.meta.total_count).toBe(1);
    expect(entries.data[0]).toMatchObject({
      id: saved.body.dataset_entry_id,
      input: '{"q":1}',
      output: 'yes',
    });

    const added = await b.request('POST', `/v2/datasets/${datasetId}`, {
      input: 'What is 2+2?',
      expected: { answer: 4 },
      comment: 'arithmetic',
    });
    expect(added.status).toBe(200);
    const entry = DatasetEntryView.parse(
      (await a.request('GET', `/v2/datasets/${datasetId}/entries/${added.body.id}`)).body,
    );
    expect(entry).toMatchObject({
      input: 'What is 2+2?',
      expected: '{"answer":4}',
      comment: 'arithmetic',
      output: '',
    });

    const patched = await a.request('PATCH', `/v2/datasets/${datasetId}/entries/${added.body.id}`, {
      output: '4',
    });
    expect(patched.body).toMatchObject({ output: '4', input: 'What is 2+2?' });
    const found = await b.request('POST', `/v2/datasets/${datasetId}/entries/query?query=2%2B2&limit=5`);
    expect(found.status).toBe(200);
    expect(Array.isArray(found.body)).toBe(true);
    expect(found.body.map((e: { id: string }) => e.id)).toEqual([added.body.id]);

    const dataset = DatasetView.parse((await b.request('GET', `/v2/datasets/${datasetId}`)).body);
    expect(dataset).toMatchObject({ id: datasetId, name: span.body.name, entry_count: 2 });
    const exported = await stack.ingests[1]!.app.inject({
      method: 'GET',
      url: `/v2/datasets/${datasetId}/export`,
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(exported.statusCode).toBe(200);
    const lines = exported.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id).sort()).toEqual([saved.body.dataset_entry_id, added.body.id].sort());

    expect((await a.request('DELETE', `/v2/datasets/${datasetId}/entries/${added.body.id}`)).status).toBe(
      204,
    );
    expect((await b.request('GET', `/v2/datasets/${datasetId}/entries/${added.body.id}`)).status).toBe(404);
  });

  it('datasets by name: create, list, get', async () => {
    const name = `golden-${Date.now()}`;
    const created = await a.request('POST', '/v2/datasets', { name });
    expect(created.status).toBe(201);
    expect(DatasetView.parse(created.body)).toMatchObject({ name, entry_count: 0 });
    const again = await b.request('POST', '/v2/datasets', { name });
    expect(again.body.id).toBe(created.body.id);
    const listed = listOf(DatasetView).parse((await b.request('GET', `/v2/datasets?name=${name}`)).body);
    expect(listed.data.map((d) => d.id)).toEqual([created.body.id]);
    const added = await a.request('POST', `/v2/datasets/${created.body.id}`, { input: 'x' });
    expect(added.status).toBe(200);
    expect((await b.request('GET', `/v2/datasets/${created.body.id}`)).body.entry_count).toBe(1);
  });

  it('another project sees none of it; no key is 401; bad ids and pages are 422 naming the field', async () => {
    const span = await a.request('POST', '/v2/spans', { name: 'private' });
    const metric = await a.request('POST', `/v2/spans/${span.body.id}/metrics`, { dimension: 'd', value: 1 });
    const saved = await a.request('POST', `/v2/spans/${span.body.id}/save_examples`);
    for (const path of [
      `/v2/spans/${span.body.id}`,
      `/v2/spans/${span.body.id}/metrics`,
      `/v2/spans/${span.body.id}/metrics/${metric.body.id}`,
      `/v2/traces/${span.body.trace_id}`,
      `/v2/datasets/${saved.body.dataset_id}`,
      `/v2/datasets/${saved.body.dataset_id}/entries`,
      `/v2/datasets/${saved.body.dataset_id}/entries/${saved.body.dataset_entry_id}`,
    ]) {
      const res = await other.request('GET', path);
      expect([path, res.status, res.body.type]).toEqual([path, 404, 'NotFoundError']);
      expect((await anonymous.request('GET', path)).status).toBe(401);
    }
    // Our API: the other project's search, export and analytics see nothing of this project.
    const mine = { filter: { name: 'private' } };
    expect(
      (await a.request('POST', '/v2/search/spans', mine)).body.data.map((s: { id: string }) => s.id),
    ).toEqual([span.body.id]);
    expect((await other.request('POST', '/v2/search/spans', mine)).body.data).toEqual([]);
    expect((await other.request('POST', '/v2/search/traces', mine)).body.data).toEqual([]);
    expect((await other.request('POST', '/v2/analytics/metrics', { dimension: 'd' })).body.buckets).toEqual(
      [],
    );
    expect((await a.request('POST', '/v2/analytics/metrics', { dimension: 'd' })).body.buckets).toHaveLength(
      1,
    );
    expect((await other.request('GET', '/v2/datasets?name=private')).body.data).toEqual([]);
    for (const [method, path] of [
      ['POST', '/v2/search/spans'],
      ['POST', '/v2/search/traces'],
      ['POST', '/v2/export/spans'],
      ['POST', '/v2/analytics/metrics'],
      ['GET', '/v2/datasets'],
      ['POST', '/v2/datasets'],
    ] as const) {
      expect([path, (await anonymous.request(method, path)).status]).toEqual([path, 401]);
    }
    const otherList = await other.request('GET', '/v2/traces');
    expect(otherList.body.data.map((t: { id: string }) => t.id)).not.toContain(span.body.trace_id);
    expect(
      (await other.request('POST', `/v2/datasets/${saved.body.dataset_id}`, { input: 'x' })).status,
    ).toBe(404);

    const bad = await a.request('GET', '/v2/spans/not-a-uuid');
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain('span_id');
    const zero = await a.request('GET', '/v2/traces?limit=0');
    expect(zero.status).toBe(422);
    expect(zero.body.message).toContain('limit');
    expect((await a.request('GET', '/v2/traces?limit=101')).status).toBe(422);
    expect((await a.request('GET', '/v2/traces?offset=-1')).status).toBe(422);
    const deleted = await a.request('DELETE', `/v2/spans/${span.body.id}`);
    expect(deleted.status).toBe(204);
    expect((await b.request('GET', `/v2/spans/${span.body.id}`)).status).toBe(404);
  });
});
