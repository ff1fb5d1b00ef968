import { randomUUID } from 'node:crypto';
import { readTraceSpans } from '@tracehouse/shared/node';
import { migratedDatabase } from '@tracehouse/test-support/clients';
import { storedSpanRow } from '@tracehouse/test-support/rows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Migration 0016: a trace read under FINAL skips the granules whose trace-id filter rules the trace out.
 * Every part's primary index brackets any trace id, so without the filter each part gives a granule.
 */
describe('reading one trace among many parts', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  const project = randomUUID();
  const parts = 4;
  const tracesPerPart = 300;
  const spansPerTrace = 4;
  let wanted: string;

  beforeAll(async () => {
    db = await migratedDatabase();
    // Parts stay apart, as they are between merges on a table that keeps being written.
    await db.client.command({ query: 'SYSTEM STOP MERGES spans_v2' });
    for (let p = 0; p < parts; p++) {
      const rows = [];
      for (let t = 0; t < tracesPerPart; t++) {
        const trace = randomUUID();
        if (p === 2 && t === 0) wanted = trace;
        for (let s = 0; s < spansPerTrace; s++) {
          // 2 KB inputs: a part spans several 1 MiB granules, each holding a narrow range of trace ids.
          rows.push(
            storedSpanRow({ project, trace, span: randomUUID() }, { name: 'step', input: 'x'.repeat(2_000) }),
          );
        }
      }
      await db.client.insert({ table: 'spans_v2', values: rows, format: 'JSONEachRow' });
    }
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  async function rowsRead(settings: Record<string, 0 | 1>): Promise<number> {
    const rs = await db.client.query({
      query: `SELECT count() AS n FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND trace_id = {t:UUID}`,
      query_params: { p: project, t: wanted },
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    });
    const [row] = await rs.json<{ n: string }>();
    expect(Number(row?.n)).toBe(spansPerTrace);
    return Number(JSON.parse(rs.response_headers['x-clickhouse-summary'] as string).read_rows);
  }

  it('reads fewer rows with the trace-id filter than the primary index alone would', async () => {
    const withFilter = await rowsRead({ use_skip_indexes: 1 });
    const withoutFilter = await rowsRead({ use_skip_indexes: 0 });
    // Without it, a granule in each of the parts; with it, the trace's own and what FINAL's exact mode adds.
    expect(withoutFilter).toBeGreaterThanOrEqual(parts * 100);
    expect(withFilter).toBeLessThan(withoutFilter / 2);
  });

  it('still returns the whole trace through the read the API uses', async () => {
    const spans = await readTraceSpans(db.client, project, wanted);
    expect(spans).toHaveLength(spansPerTrace);
    expect(new Set(spans.map((s) => s.trace_id))).toEqual(new Set([wanted]));
  });
});
