import { randomUUID } from 'node:crypto';
import { insertTraceSummaries, type TraceSummaryRow } from '@tracehouse/shared/node';
import { migratedDatabase } from '@tracehouse/test-support/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Migration 0017: a summary deletes the trace's index rows at the starts it passed since the summary
 * before, at its own version, so an index row a stalled writer adds there later, from less of the log
 * (a lower version), stays hidden.
 */
describe('index rows at the starts a summary passed', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  const project = randomUUID();

  beforeAll(async () => {
    db = await migratedDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

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
