import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient, type Json } from '../write-path/helpers.js';

/**
 * Two projects write spans, metrics and dataset entries with the same span, trace and metric ids at
 * the same moment. Every read, search, export and analytics endpoint of each shows its own data only.
 */
describe('tenancy: two projects sharing span and trace ids', () => {
  let stack: Stack;
  const clients: Record<'a' | 'b', IngestClient> = {} as never;
  let exportOf: (who: 'a' | 'b', url: string, body: unknown) => Promise<string>;
  const traceIds = [crypto.randomUUID(), crypto.randomUUID()];
  const rootIds = [crypto.randomUUID(), crypto.randomUUID()];
  const childIds = [crypto.randomUUID(), crypto.randomUUID()];
  const metricIds = [crypto.randomUUID(), crypto.randomUUID()];
  const datasetName = `shared-name-${crypto.randomUUID().slice(0, 8)}`;
  const start = Date.now() - 60_000;
  const metricValue = { a: 10, b: 90 } as const;

  /** One project's writes: same ids as the other project's, contents marked with the project. */
  const writesOf = (who: 'a' | 'b') =>
    traceIds.flatMap((traceId, t) => [
      {
        type: 'span.create',
        body: {
          id: rootIds[t],
          trace_id: traceId,
          name: `root-of-${who}`,
          input: { who, t },
          output: `out-of-${who}`,
          tags: { project: who },
          start_time: new Date(start + t * 1000).toISOString(),
          end_time: new Date(start + t * 1000 + 500).toISOString(),
        },
      },
      {
        type: 'span.create',
        body: {
          id: childIds[t],
          trace_id: traceId,
          parent_id: rootIds[t],
          name: `child-of-${who}`,
          input: `child-in-of-${who}`,
          tags: { project: who },
          start_time: new Date(start + t * 1000 + 100).toISOString(),
          end_time: new Date(start + t * 1000 + 200).toISOString(),
        },
      },
      {
        type: 'metric.create',
        span_id: childIds[t],
        id: metricIds[t],
        body: { dimension: 'quality', value: metricValue[who] },
      },
    ]);

  beforeAll(async () => {
    stack = await Stack.create();
    // Two server processes (each with its own span index), as behind a load balancer.
    const [first, second] = [await stack.startIngest(), await stack.startIngest()];
    await stack.startWriter();
    const other = await stack.otherProjectKey();
    clients.a = injectClient(first.app, stack.apiKey);
    clients.b = injectClient(second.app, other.key);
    const keys = { a: stack.apiKey, b: other.key };
    const apps = { a: first.app, b: second.app };
    exportOf = async (who, url, body) => {
      const res = await apps[who].inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${keys[who]}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      expect(res.statusCode).toBe(200);
      return res.body;
    };
    const [a, b] = await Promise.all([
      clients.a.request('POST', '/v2/ingest', { items: writesOf('a') }),
      clients.b.request('POST', '/v2/ingest', { items: writesOf('b') }),
    ]);
    expect([a.body.accepted, b.body.accepted]).toEqual([6, 6]);
    // Same dataset name, saved examples of the same span id, at the same moment.
    const saved = await Promise.all(
      (['a', 'b'] as const).map((who) =>
        clients[who].request('POST', `/v2/spans/${rootIds[0]}/save_examples`, { dataset_name: datasetName }),
      ),
    );
    expect(saved.map((s) => s.status)).toEqual([201, 201]);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const other = (who: 'a' | 'b') => (who === 'a' ? 'b' : 'a');

  it.each(['a', 'b'] as const)('project %s reads its own spans, metrics and traces', async (who) => {
    const api = clients[who];
    const root = await api.request('GET', `/v2/spans/${rootIds[0]}`);
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ name: `root-of-${who}`, input: { who, t: 0 } });
    const metrics = await api.request('GET', `/v2/spans/${childIds[1]}/metrics`);
    expect(metrics.body.meta.total_count).toBe(1);
    expect(metrics.body.data[0].value).toBe(metricValue[who]);
    const metric = await api.request('GET', `/v2/spans/${childIds[1]}/metrics/${metricIds[1]}`);
    expect(metric.body.value).toBe(metricValue[who]);

    const list = await stack.eventually(
      () => api.request('GET', '/v2/traces?limit=10'),
      (res) => res.body.data.length === 2 && res.body.data.every((t: Json) => t.input !== null),
    );
    expect(list.body.meta.total_count).toBe(2);
    for (const trace of list.body.data) {
      expect(trace.name).toBe(`root-of-${who}`);
      expect(JSON.parse(trace.input).who).toBe(who);
      expect(trace.output).toContain(`out-of-${who}`);
    }
    const trace = await api.request('GET', `/v2/traces/${traceIds[0]}?tree=true`);
    expect(trace.body.spans.map((s: Json) => s.name).sort()).toEqual([`child-of-${who}`, `root-of-${who}`]);
    expect(JSON.stringify(trace.body)).not.toContain(`-of-${other(who)}`);
    expect(trace.body.tree).toHaveLength(1);
  });

  it.each(['a', 'b'] as const)(
    'project %s searches, exports and aggregates its own data only',
    async (who) => {
      const api = clients[who];
      const spans = await api.request('POST', '/v2/search/spans', { limit: 100 });
      expect(spans.body.data.map((s: Json) => s.name).sort()).toEqual([
        `child-of-${who}`,
        `child-of-${who}`,
        `root-of-${who}`,
        `root-of-${who}`,
      ]);
      const byOtherTag = await api.request('POST', '/v2/search/spans', {
        filter: { tags: { project: other(who) } },
      });
      expect(byOtherTag.body.data).toEqual([]);
      const traces = await api.request('POST', '/v2/search/traces', {});
      expect(traces.body.data).toHaveLength(2);
      for (const t of traces.body.data) expect(t.name).toBe(`root-of-${who}`);

      for (const entity of ['spans', 'traces']) {
        for (const format of ['jsonl', 'csv']) {
          const body = await exportOf(who, `/v2/export/${entity}`, { format });
          expect(body).toContain(`root-of-${who}`);
          expect(body).not.toContain(`-of-${other(who)}`);
        }
      }

      const analytics = await api.request('POST', '/v2/analytics/metrics', {
        dimension: 'quality',
        aggregations: ['count', 'min', 'max'],
        filter: { from: new Date(start - 3_600_000).toISOString() },
      });
      expect(analytics.status).toBe(200);
      const total = analytics.body.buckets.reduce((n: number, b: Json) => n + b.count, 0);
      expect(total).toBe(2);
      for (const bucket of analytics.body.buckets) {
        expect([bucket.min, bucket.max]).toEqual([metricValue[who], metricValue[who]]);
      }
    },
  );

  it.each(['a', 'b'] as const)('project %s sees its own dataset under the shared name', async (who) => {
    const api = clients[who];
    const listed = await api.request('GET', `/v2/datasets?name=${datasetName}`);
    expect(listed.body.data).toHaveLength(1);
    const dataset = listed.body.data[0];
    const theirs = await clients[other(who)].request('GET', `/v2/datasets?name=${datasetName}`);
    expect(dataset.id).not.toBe(theirs.body.data[0].id);
    expect((await api.request('GET', `/v2/datasets/${theirs.body.data[0].id}`)).status).toBe(404);
    expect(dataset.entry_count).toBe(1);
    const entries = await api.request('GET', `/v2/datasets/${dataset.id}/entries`);
    expect(entries.body.data).toHaveLength(1);
    expect(entries.body.data[0].input).toContain(`"who":"${who}"`);
    const found = await api.request('POST', `/v2/datasets/${dataset.id}/entries/query?query=who`);
    expect(found.body).toHaveLength(1);
    const entry = await api.request('GET', `/v2/datasets/${dataset.id}/entries/${entries.body.data[0].id}`);
    expect(entry.body.input).toContain(`"who":"${who}"`);
  });
});
