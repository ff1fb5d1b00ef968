import { ClickHouseError } from '@clickhouse/client';
import { clickhouseHealthy, createClickHouse, toClickHouseAppError } from '@tracehouse/shared/node';
import { testClickHouse, testClickHouseConnection, testLogger } from '@tracehouse/test-support/clients';
import { dedicatedClickHouse } from '@tracehouse/test-support/dedicated';
import { uniqueName } from '@tracehouse/test-support/names';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROWS = 100_000;
const environments = ['production', 'staging', 'dev'] as const;

const createTable = `
  CREATE TABLE IF NOT EXISTS spans_probe
  (
    id UInt64,
    ts DateTime64(6, 'UTC'),
    name LowCardinality(String),
    tags Map(LowCardinality(String), String),
    payload String,
    INDEX idx_tag_values mapValues(tags) TYPE bloom_filter(0.01) GRANULARITY 1
  )
  ENGINE = MergeTree
  ORDER BY (name, ts)`;

/** Deterministic rows so the expected answer of each filter is computed here, independently of SQL. */
function row(i: number) {
  const micros = String(i % 1_000_000).padStart(6, '0');
  return {
    id: i,
    ts: `2026-01-0${1 + (i % 5)} 12:00:00.${micros}`,
    name: `op_${i % 10}`,
    tags: { environment: environments[i % 3]!, user: `u${i % 1000}` },
    payload: `payload ${i}`,
  };
}

describe('ClickHouse engine through @clickhouse/client', () => {
  const database = uniqueName('th_ground');
  const admin = testClickHouse();
  let client: ReturnType<typeof testClickHouse>;

  beforeAll(async () => {
    await admin.command({ query: 'CREATE DATABASE {db:Identifier}', query_params: { db: database } });
    client = testClickHouse(database);
    await client.command({ query: createTable });
  });

  afterAll(async () => {
    await admin.command({ query: 'DROP DATABASE IF EXISTS {db:Identifier}', query_params: { db: database } });
    await client.close();
    await admin.close();
  });

  it('is healthy', async () => {
    expect(await clickhouseHealthy(client)).toBe(true);
  });

  it('inserts 100,000 rows as JSONEachRow and reads them back filtered through query parameters', async () => {
    const rows = Array.from({ length: ROWS }, (_, i) => row(i));
    await client.insert({ table: 'spans_probe', values: rows, format: 'JSONEachRow' });

    const count = await client.query({
      query: 'SELECT count() AS n FROM spans_probe',
      format: 'JSONEachRow',
    });
    expect(await count.json()).toEqual([{ n: String(ROWS) }]);

    const filter = { env: 'staging', user: 'u7', from: '2026-01-02 00:00:00.000000', name: 'op_7' };
    const expected = rows
      .filter(
        (r) =>
          r.tags.environment === filter.env &&
          r.tags.user === filter.user &&
          r.ts >= filter.from &&
          r.name === filter.name,
      )
      .map((r) => r.id);
    expect(expected.length).toBeGreaterThan(0);
    const rs = await client.query({
      query: `SELECT id, ts, tags FROM spans_probe
              WHERE tags['environment'] = {env:String} AND tags['user'] = {user:String}
                AND ts >= {from:DateTime64(6)} AND name = {name:String}
              ORDER BY id`,
      query_params: filter,
      format: 'JSONEachRow',
    });
    const got = await rs.json<{ id: string; ts: string; tags: Record<string, string> }>();
    expect(got.map((r) => Number(r.id))).toEqual(expected);
    // Microseconds survive the round trip.
    expect(got[0]?.ts).toBe(row(expected[0]!).ts);
    expect(got[0]?.tags).toEqual(row(expected[0]!).tags);

    // A value that looks like SQL is data, not code, when bound as a parameter.
    const injection = await client.query({
      query: 'SELECT count() AS n FROM spans_probe WHERE name = {name:String}',
      query_params: { name: "op_1' OR '1'='1" },
      format: 'JSONEachRow',
    });
    expect(await injection.json()).toEqual([{ n: '0' }]);
  });

  it('raises a bad query as a typed error carrying the server code', async () => {
    const err = await client
      .query({ query: 'SELECT no_such_column FROM spans_probe', format: 'JSONEachRow' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ClickHouseError);
    expect((err as ClickHouseError).code).toBe('47');
    expect((err as ClickHouseError).type).toBe('UNKNOWN_IDENTIFIER');
    const app = toClickHouseAppError(err, 'probing');
    expect(app.code).toBe('TH_CLICKHOUSE_QUERY');
    expect(app.details).toMatchObject({ clickhouseCode: '47', clickhouseType: 'UNKNOWN_IDENTIFIER' });
  });
});

describe('ClickHouse across a stop and start', () => {
  it('keeps every row', async () => {
    const engine = await dedicatedClickHouse();
    const open = () =>
      createClickHouse({
        ...testClickHouseConnection(engine.endpoint, engine.password),
        database: 'default',
        logger: testLogger,
      });
    try {
      let client = open();
      await client.command({ query: createTable });
      await client.insert({
        table: 'spans_probe',
        values: Array.from({ length: 1_000 }, (_, i) => row(i)),
        format: 'JSONEachRow',
      });
      await client.close();

      await engine.stop();
      const down = open();
      expect(await clickhouseHealthy(down)).toBe(false);
      await down.close();
      await engine.start();

      client = open();
      const rs = await client.query({
        query: 'SELECT count() AS n, sum(id) AS s FROM spans_probe',
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual([{ n: '1000', s: String((999 * 1000) / 2) }]);
      await client.close();
    } finally {
      await engine.dispose();
    }
  });
});
