import { randomUUID } from 'node:crypto';
import { insertSpanMetrics, readTraceMetrics, type SpanMetricRowToInsert } from '@tracehouse/shared/node';
import { migratedDatabase } from '@tracehouse/test-support/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A trace's metrics are read without FINAL (`readTraceMetrics` picks each metric's newest row itself),
 * so the rows here stay in parts of their own, unmerged, as a busy table holds them.
 */
describe("a trace's metrics, each as its newest row says", () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  const project = randomUUID();
  const trace = randomUUID();
  const span = randomUUID();
  const at = '2025-01-01 00:00:05.000000';

  const row = (metric: string, fields: Partial<SpanMetricRowToInsert>): SpanMetricRowToInsert => ({
    project_id: project,
    trace_id: trace,
    span_id: span,
    metric_id: metric,
    dimension: 'quality',
    value: 1,
    comment: null,
    created_at: at,
    received_at: at,
    version: 1,
    deleted: 0,
    span_name: 'step',
    span_start_time: at,
    span_tags: {},
    ...fields,
  });

  beforeAll(async () => {
    db = await migratedDatabase();
    await db.client.command({ query: 'SYSTEM STOP MERGES span_metrics' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('reads the updated value once, and neither the deleted, the pending nor another trace', async () => {
    const [updated, deleted, pending, twice] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    // One insert each: every row in its own part.
    for (const r of [
      row(updated, { value: 5, version: 1 }),
      row(deleted, { dimension: 'speed', value: 9, version: 2 }),
      row(updated, { value: 2, version: 3, comment: 'second look' }),
      row(deleted, { dimension: 'speed', value: 9, version: 4, deleted: 1 }),
      row(pending, { dimension: '', value: 3, version: 5 }),
      row(twice, { dimension: 'latency_ms', value: 120, version: 6 }),
      row(twice, { dimension: 'latency_ms', value: 120, version: 6 }),
      row(randomUUID(), { trace_id: randomUUID(), version: 8 }),
    ]) {
      await insertSpanMetrics(db.client, [r]);
    }

    const { metrics, newestVersion } = await readTraceMetrics(db.client, project, trace);
    expect(
      metrics
        .sort((a, b) => a.dimension.localeCompare(b.dimension))
        .map((m) => [m.id, m.span_id, m.dimension, m.value, m.comment]),
    ).toEqual([
      [twice, span, 'latency_ms', 120, null],
      [updated, span, 'quality', 2, 'second look'],
    ]);
    expect(newestVersion).toBe(6);
  });
});
