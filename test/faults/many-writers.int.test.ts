import { testKafka } from '@tracehouse/test-support/clients';
import type { SpawnedService } from '@tracehouse/test-support/stack';
import { Stack } from '@tracehouse/test-support/stack';
import { afterEach, describe, expect, it } from 'vitest';
import { httpClient, pool } from '../write-path/helpers.js';
import { WriteModel } from './write-model.js';

/**
 * Several writers and ingests on the real stack while writers come, go, die and stall: what is
 * stored must equal what was acknowledged, field by field (issue: write path v2).
 */
describe('faults: three writers, two ingests whose clocks differ by 2 s', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('stores exactly the acknowledged state through joins, SIGTERM, SIGKILL and a stall past the session timeout', async () => {
    stack = await Stack.create({
      env: {
        SPANS_PARTITIONS: '6',
        BATCH_MAX_ROWS: '200',
        BATCH_MAX_DELAY_MS: '100',
        WRITER_SESSION_TIMEOUT_MS: '6000',
        // Small caches: evictions exercise the read-back path too.
        WRITER_CACHE_MAX_BYTES: String(256 * 1024),
      },
    });
    const s = stack;
    const writers: SpawnedService[] = [];
    for (let i = 0; i < 3; i++) writers.push(await s.spawn('writer'));
    const ingests = [await s.spawn('ingest'), await s.spawn('ingest', { INGEST_CLOCK_SKEW_MS: '-2000' })];
    const clients = ingests.map((i) => httpClient(i.url, s.apiKey));
    const model = new WriteModel();

    let faultsDone = false;
    const faults = (async () => {
      await until(() => model.spans.size >= 80);
      progress('a fourth writer joins', model);
      writers.push(await s.spawn('writer')); // partitions move
      progress('the first leaves with SIGTERM', model);
      await writers[0]!.kill('SIGTERM'); // they move back
      await until(() => model.spans.size >= 200);
      progress('the second is killed with SIGKILL and replaced', model);
      await writers[1]!.kill('SIGKILL');
      writers.push(await s.spawn('writer'));
      await until(() => model.spans.size >= 320);
      progress('the third is stopped (SIGSTOP) past its session timeout', model);
      const stalled = writers[2]!;
      process.kill(stalled.child.pid!, 'SIGSTOP');
      await groupEvicts(s, 2); // the session timed out: its partitions went to the others
      progress('the third resumes (SIGCONT)', model);
      process.kill(stalled.child.pid!, 'SIGCONT');
      await until(() => model.spans.size >= 420);
      faultsDone = true;
    })();
    let t = 0;
    await pool([...Array(8).keys()], 8, async () => {
      while (!faultsDone && t < 1_000) await model.writeTrace(clients, t++, 4);
    });
    await faults;

    expect(model.failures).toEqual([]);
    progress('load done; comparing what is stored with the model', model);
    const expected = expectedState(model);
    const actual = await s.eventually(
      () => storedState(s),
      (a) => JSON.stringify(a) === JSON.stringify(expected),
      120_000,
    );
    if (JSON.stringify(actual) !== JSON.stringify(expected)) await explain(s, actual, expected);
    expect(actual.spans).toEqual(expected.spans);
    expect(actual.metrics).toEqual(expected.metrics);
    expect(actual.points).toEqual(expected.points);
    expect(actual.traces).toEqual(expected.traces);
    // Search and lists read `trace_index`: each live trace exactly once, at its summary's start.
    const starts = async (table: string) =>
      (
        await (
          await s.clickhouse.query({
            query: `SELECT toString(trace_id) AS id, toString(start_time) AS start FROM {t:Identifier} FINAL
                    WHERE project_id = {p:UUID} ORDER BY id`,
            query_params: { t: table, p: s.projectId },
            format: 'JSONEachRow',
          })
        ).json<{ id: string; start: string }>()
      ).map((r) => `${r.id} ${r.start}`);
    const indexed = await starts('trace_index');
    expect(indexed).toHaveLength(Object.keys(expected.traces).length);
    expect(indexed).toEqual(await starts('trace_summaries'));
  }, 600_000);
});

/** On a mismatch, every stored version of the first spans that differ (stderr), to see why. */
async function explain(stack: Stack, actual: State, expected: State): Promise<void> {
  const differ = Object.keys(expected.spans)
    .filter((id) => JSON.stringify(actual.spans[id]) !== JSON.stringify(expected.spans[id]))
    .slice(0, 4);
  for (const id of differ) {
    const rs = await stack.clickhouse.query({
      query: `SELECT version, name, deleted, output, meta, toString(trace_id) AS trace FROM spans_v2
              WHERE project_id = {p:UUID} AND span_id = {s:UUID} ORDER BY version`,
      query_params: { p: stack.projectId, s: id },
      format: 'JSONEachRow',
    });
    process.stderr.write(
      `many writers: span ${id} expected ${JSON.stringify(expected.spans[id])}\n  stored: ${JSON.stringify(await rs.json())}\n`,
    );
  }
}

/** Long test: say where it is (stderr, shown by vitest only for this file). */
function progress(step: string, model: WriteModel): void {
  process.stderr.write(
    `many writers: ${step} (${model.spans.size} spans, ${model.metrics.size} metrics acknowledged)\n`,
  );
}

async function until(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the writer group has this many members (a stalled one was evicted). */
async function groupEvicts(stack: Stack, members: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { groups } = await admin.describeGroups([stack.env.WRITER_GROUP_ID!]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length === members) return;
      if (Date.now() > deadline) throw new Error('the stalled writer was never evicted');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

type State = {
  spans: Record<string, { output: unknown; meta: Record<string, string>; tags: Record<string, string> }>;
  metrics: Record<string, number>;
  /** Each live metric's values in `metric_points` (analytics): exactly one. */
  points: Record<string, number[]>;
  traces: Record<string, number>;
};

function expectedState(model: WriteModel): State {
  const spans: State['spans'] = {};
  for (const [id, sp] of model.spans) {
    if (sp.deleted) continue;
    const meta = Object.fromEntries(Object.entries(sp.meta).map(([k, v]) => [k, JSON.stringify(v)]));
    spans[id] = { output: sp.output, meta, tags: sp.tags };
  }
  const metrics: State['metrics'] = {};
  for (const [id, m] of model.metrics) if (!m.deleted) metrics[id] = m.value;
  const points = Object.fromEntries(Object.entries(metrics).map(([id, value]) => [id, [value]]));
  return sorted({ spans, metrics, points, traces: Object.fromEntries(model.liveSpansPerTrace()) });
}

async function storedState(stack: Stack): Promise<State> {
  const query = async <R>(sql: string) =>
    (
      await stack.clickhouse.query({
        query: sql,
        query_params: { p: stack.projectId },
        format: 'JSONEachRow',
      })
    ).json<R>();
  const spans = await query<{
    id: string;
    output: string | null;
    meta: Record<string, string>;
    tags: Record<string, string>;
  }>(
    `SELECT toString(span_id) AS id, output, meta, tags FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND name != ''`,
  );
  const metrics = await query<{ id: string; value: number }>(
    `SELECT toString(metric_id) AS id, value FROM span_metrics FINAL WHERE project_id = {p:UUID}`,
  );
  const points = await query<{ id: string; values: number[] }>(
    `SELECT toString(metric_id) AS id, groupArray(value) AS values FROM metric_points FINAL
     WHERE project_id = {p:UUID} GROUP BY metric_id`,
  );
  const traces = await query<{ id: string; n: number }>(
    `SELECT toString(trace_id) AS id, span_count AS n FROM trace_summaries FINAL WHERE project_id = {p:UUID}`,
  );
  return sorted({
    spans: Object.fromEntries(
      spans.map((r) => [
        r.id,
        { output: r.output === null ? null : JSON.parse(r.output), meta: r.meta, tags: r.tags },
      ]),
    ),
    metrics: Object.fromEntries(metrics.map((r) => [r.id, r.value])),
    points: Object.fromEntries(points.map((r) => [r.id, r.values])),
    traces: Object.fromEntries(traces.map((r) => [r.id, Number(r.n)])),
  });
}

/** Keys in a fixed order, so two states compare as text while polling. */
function sorted(state: State): State {
  const order = <V>(o: Record<string, V>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    spans: order(
      Object.fromEntries(
        Object.entries(state.spans).map(([id, s]) => [
          id,
          { output: s.output, meta: order(s.meta), tags: order(s.tags) },
        ]),
      ),
    ),
    metrics: order(state.metrics),
    points: order(state.points),
    traces: order(state.traces),
  };
}
