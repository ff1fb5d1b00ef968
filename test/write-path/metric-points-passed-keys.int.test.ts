import { randomUUID } from 'node:crypto';
import { insertSpanMetrics, type SpanMetricRowToInsert } from '@tracehouse/shared/node';
import { migratedDatabase } from '@tracehouse/test-support/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Migration 0018: a metric row deletes the metric's points at the keys it passed since the row before,
 * at its own version, so a point a stalled writer adds at such a key later, from less of the log (a
 * lower version), stays hidden.
 */
describe('metric points at the keys a metric row passed', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  const project = randomUUID();
  const start = '2025-01-01 00:00:05.000000';

  beforeAll(async () => {
    db = await migratedDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

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
