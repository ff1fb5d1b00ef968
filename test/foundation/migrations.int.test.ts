import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate } from '@tracehouse/shared/node';
import { testClickHouse, testClickHouseConnection, testLogger } from '@tracehouse/test-support/clients';
import { uniqueName } from '@tracehouse/test-support/names';
import { afterAll, describe, expect, it } from 'vitest';

describe('migrations', () => {
  const database = uniqueName('th_migrate');
  const admin = testClickHouse();

  afterAll(async () => {
    await admin.command({ query: 'DROP DATABASE IF EXISTS {db:Identifier}', query_params: { db: database } });
    await admin.close();
  });

  it('apply every file once, then nothing on a second run', async () => {
    const connection = testClickHouseConnection();
    const all = await loadMigrations();
    const first = await migrate({ ...connection, database, logger: testLogger });
    expect(first.applied).toHaveLength(all.length);
    const second = await migrate({ ...connection, database, logger: testLogger });
    expect(second.applied).toEqual([]);

    const rs = await admin.query({
      query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
      query_params: { db: database },
      format: 'JSONEachRow',
    });
    const tables = (await rs.json<{ name: string }>()).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['schema_migrations', 'projects', 'api_keys']));

    // Migration 0019: every table the writer inserts into each batch merges wider than the default,
    // where the server knows the setting (ClickHouse 24.8 does not: the tables keep the default there).
    const known = await admin.query({
      query: "SELECT count() AS n FROM system.merge_tree_settings WHERE name = 'merge_selector_base'",
      format: 'JSONEachRow',
    });
    const wider = Number((await known.json<{ n: string }>())[0]?.n) > 0 ? '10' : undefined;
    const written = ['spans_v2', 'span_metrics', 'metric_points', 'trace_summaries', 'trace_index'];
    const engines = await admin.query({
      query: `SELECT name, engine_full FROM system.tables
              WHERE database = {db:String} AND name IN {names:Array(String)} ORDER BY name`,
      query_params: { db: database, names: written },
      format: 'JSONEachRow',
    });
    const settings = (await engines.json<{ name: string; engine_full: string }>()).map((t) => [
      t.name,
      /merge_selector_base = (\d+)/.exec(t.engine_full)?.[1],
    ]);
    expect(settings).toEqual([...written].sort().map((name) => [name, wider]));
  });

  /** Migrates the files of a scratch directory into a scratch database, dropped afterwards. */
  async function withScratchMigrations(
    name: string,
    body: (
      write: (file: string, sql: string) => Promise<void>,
      run: () => ReturnType<typeof migrate>,
    ) => Promise<void>,
  ): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'th-mig-'));
    const db = uniqueName(name);
    const connection = testClickHouseConnection();
    try {
      await body(
        (file, sql) => writeFile(join(dir, file), sql),
        () => migrate({ ...connection, database: db, logger: testLogger, dir }),
      );
    } finally {
      await admin.command({ query: 'DROP DATABASE IF EXISTS {db:Identifier}', query_params: { db } });
    }
  }

  const createT = (type: string) => `CREATE TABLE IF NOT EXISTS t (x ${type}) ENGINE = MergeTree ORDER BY x;`;

  it('goes on without a setting the server does not know, and fails on anything else', async () => {
    await withScratchMigrations('th_migrate_tuning', async (write, run) => {
      await write('0001_t.sql', createT('UInt8'));
      // As a server older than a setting sees it (ClickHouse 24.8 and merge_selector_base, 0019).
      await write('0002_tune.sql', 'ALTER TABLE t MODIFY SETTING tracehouse_no_such_setting = 1;');
      expect((await run()).applied).toEqual(['0001_t', '0002_tune']);

      await write('0003_schema.sql', 'ALTER TABLE t MODIFY COLUMN no_such_column UInt16;');
      await expect(run()).rejects.toThrow(/applying migrations/);
    });
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    await withScratchMigrations('th_migrate_changed', async (write, run) => {
      await write('0001_t.sql', createT('UInt8'));
      await run();
      await write('0001_t.sql', createT('UInt16'));
      await expect(run()).rejects.toThrow(/changed after it was applied/);
    });
  });
});
