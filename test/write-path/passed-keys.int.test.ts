import { randomUUID } from 'node:crypto';
import {
  insertSpanMetrics,
  insertTraceSummaries,
  type SpanMetricRowToInsert,
  type TraceSummaryRow,
} from '@tracehouse/shared/node';
import { migratedDatabase } from '@tracehouse/test-support/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Migrations 0017 and 0018: a summary deletes the trace's index rows at the starts it passed since the
 * summary before, and a metric row its points at the keys it passed, at their own version, so a row a
 * writer stalled past its session timeout adds there later, from less of the log (a lower version),
 * stays hidden (docs/WRITE-PATH.md §3).
 */
describe('rows at the keys a newer row passed', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  const project = randomUUID();

  beforeAll(async () => {
    db = await migratedDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe('trace index rows at the starts a summary passed', () => {
    const summary = (trace: string, fields: Partial<TraceSummaryRow>): TraceSummaryRow => ({
      project_id: project,
      trace_id: trace,
      root_span_id: randomUUID(),
      name: 'root',
      start_time: '2025-01-01 00:00:05.000000',
      end_time: null,
      duration_ms: null,
      status: 'unset',
      span_count: 1,
      error_count: 0,
      total_tokens: 0,
      total_cost: 0,
      input: null,
      output: null,
      tags: {},
      received_at: '2025-01-01 00:00:05.000000',
      spans_version: 1,
      version: 1,
      deleted: 0,
      replaced_start_time: null,
      passed_start_times: [],
      applied_log: 'spans/0',
      applied_offset: 0,
      ...fields,
    });

    async function indexedStarts(trace: string): Promise<string[]> {
      const rs = await db.client.query({
        query: `SELECT toString(start_time) AS s FROM trace_index FINAL
                WHERE project_id = {p:UUID} AND trace_id = {t:UUID} ORDER BY s`,
        query_params: { p: project, t: trace },
        format: 'JSONEachRow',
      });
      return (await rs.json<{ s: string }>()).map((r) => r.s);
    }

    /** The owner's summary at 05 (having passed 01), then a stalled writer's summary at 01, older. */
    async function raceAt(passed: string[]): Promise<string[]> {
      const trace = randomUUID();
      await insertTraceSummaries(db.client, [
        summary(trace, { version: 20, applied_offset: 20, passed_start_times: passed }),
      ]);
      await insertTraceSummaries(db.client, [
        summary(trace, { version: 10, applied_offset: 10, start_time: '2025-01-01 00:00:01.000000' }),
      ]);
      return indexedStarts(trace);
    }

    it("hides a late, older summary's index row at a start the newer one passed", async () => {
      expect(await raceAt(['2025-01-01 00:00:01.000000'])).toEqual(['2025-01-01 00:00:05.000000']);
      // Without naming it, the trace would be listed at both starts.
      expect(await raceAt([])).toEqual(['2025-01-01 00:00:01.000000', '2025-01-01 00:00:05.000000']);
    });

    it('deletes each start passed, and never the start the summary keeps', async () => {
      const trace = randomUUID();
      await insertTraceSummaries(db.client, [
        summary(trace, { version: 5, start_time: '2025-01-01 00:00:09.000000' }),
      ]);
      await insertTraceSummaries(db.client, [
        summary(trace, {
          version: 6,
          start_time: '2025-01-01 00:00:03.000000',
          replaced_start_time: '2025-01-01 00:00:09.000000',
          passed_start_times: ['2025-01-01 00:00:04.000000', '2025-01-01 00:00:03.000000'],
        }),
      ]);
      expect(await indexedStarts(trace)).toEqual(['2025-01-01 00:00:03.000000']);
      const rs = await db.client.query({
        query: `SELECT toString(start_time) AS s, deleted FROM trace_index
                WHERE project_id = {p:UUID} AND trace_id = {t:UUID} AND version = 6 ORDER BY s`,
        query_params: { p: project, t: trace },
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual([
        { s: '2025-01-01 00:00:03.000000', deleted: 0 },
        { s: '2025-01-01 00:00:04.000000', deleted: 1 },
        { s: '2025-01-01 00:00:09.000000', deleted: 1 },
      ]);
    });
  });

  describe('metric points at the keys a metric row passed', () => {
    const start = '2025-01-01 00:00:05.000000';

    const row = (metric: string, fields: Partial<SpanMetricRowToInsert>): SpanMetricRowToInsert => ({
      project_id: project,
      trace_id: randomUUID(),
      span_id: randomUUID(),
      metric_id: metric,
      dimension: 'speed',
      value: 1,
      comment: null,
      created_at: start,
      received_at: start,
      version: 20,
      deleted: 0,
      span_name: 'step',
      span_start_time: start,
      span_tags: {},
      ...fields,
    });

    async function points(metric: string): Promise<string[]> {
      const rs = await db.client.query({
        query: `SELECT dimension FROM metric_points FINAL
                WHERE project_id = {p:UUID} AND metric_id = {m:UUID} ORDER BY dimension`,
        query_params: { p: project, m: metric },
        format: 'JSONEachRow',
      });
      return (await rs.json<{ dimension: string }>()).map((r) => r.dimension);
    }

    /** The owner's row at `speed` (having passed `quality`), then a stalled writer's, older, at `quality`. */
    async function raceAt(passed: [string, string][]): Promise<string[]> {
      const metric = randomUUID();
      await insertSpanMetrics(db.client, [row(metric, { passed_points: passed })]);
      await insertSpanMetrics(db.client, [row(metric, { version: 10, dimension: 'quality' })]);
      return points(metric);
    }

    it("hides a late, older row's point at a key the newer one passed", async () => {
      expect(await raceAt([['quality', start]])).toEqual(['speed']);
      // Without naming it, the metric would count twice in analytics.
      expect(await raceAt([])).toEqual(['quality', 'speed']);
    });

    it('never deletes the key the row keeps', async () => {
      const metric = randomUUID();
      await insertSpanMetrics(db.client, [
        row(metric, {
          passed_points: [
            ['speed', start],
            ['quality', start],
          ],
        }),
      ]);
      expect(await points(metric)).toEqual(['speed']);
    });
  });
});
