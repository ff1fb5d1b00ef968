/**
 * The local ClickHouse stand-in (server.py), exercised only through @clickhouse/client, the way
 * the services and tests use it. The file starts its own server on a free port and a temporary
 * data directory, so it needs nothing else running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  ClickHouseError,
  createClient,
} from '@clickhouse/client';
import { ensureChdbPython } from '@tracehouse/local-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serverScript = join(dirname(fileURLToPath(import.meta.url)), 'server.py');
/** The stand-in requires a password; each run makes its own, as services:up does. */
const password = randomBytes(18).toString('base64url');
const basicAuth = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
const auth = { Authorization: basicAuth('default', password) };

interface RunningServer {
  url: string;
  process: ChildProcess;
  output: string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(python: string, dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(
    python,
    [
      serverScript,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLICKHOUSE_PASSWORD: password } },
  );
  const output: string[] = [];
  child.stdout?.on('data', (data: Buffer) => output.push(data.toString()));
  child.stderr?.on('data', (data: Buffer) => output.push(data.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output.join('')}`);
    const ok = await fetch(`${url}/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { url, process: child, output };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not answer /ping:\n${output.join('')}`);
}

/** SIGTERM and the exit code; the server must finish cleanly with 0. */
async function stopServer(server: RunningServer): Promise<number | null> {
  if (server.process.exitCode !== null) return server.process.exitCode;
  const exited = once(server.process, 'exit');
  server.process.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function expectClickHouseError(promise: Promise<unknown>, code: string, type: string): Promise<void> {
  const error = await caught(promise);
  expect(error).toBeInstanceOf(ClickHouseError);
  expect(error).toMatchObject({ code, type });
}

/** A raw HTTP/1.1 exchange, for requests the client would never send. */
async function rawExchange(url: string, request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(request);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await Promise.race([once(socket, 'close'), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  socket.destroy();
  return Buffer.concat(chunks).toString();
}

interface EventRow {
  id: number;
  trace_id: string;
  ts: string;
  attrs: Record<string, string>;
  tags: string[];
}

describe('clickhouse-http stand-in, through @clickhouse/client', () => {
  let python: string;
  let dataDir: string;
  let server: RunningServer;
  let client: ClickHouseClient;
  let db: ClickHouseClient;
  const clients: ClickHouseClient[] = [];

  function open(config: ClickHouseClientConfigOptions = {}): ClickHouseClient {
    const opened = createClient({ url: server.url, username: 'default', password, ...config });
    clients.push(opened);
    return opened;
  }

  beforeAll(async () => {
    python = await ensureChdbPython();
    dataDir = await mkdtemp(join(tmpdir(), 'clickhouse-http-'));
    server = await startServer(python, dataDir);
    client = open();
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS sit' });
    db = open({ database: 'sit' });
    await db.command({
      query: `
        CREATE TABLE events (
          id UInt64,
          trace_id String,
          ts DateTime64(6, 'UTC'),
          attrs Map(LowCardinality(String), String),
          tags Array(String),
          INDEX trace_bf trace_id TYPE bloom_filter(0.01) GRANULARITY 1
        ) ENGINE = MergeTree ORDER BY (trace_id, ts)`,
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((opened) => opened.close()));
    if (server) await stopServer(server);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers ping and reports the engine', async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(await client.ping({ select: true })).toEqual({ success: true });
    const rs = await client.query({
      query: 'SELECT version() AS v, timezone() AS tz',
      format: 'JSONEachRow',
    });
    expect(rs.response_headers['x-clickhouse-timezone']).toBe('UTC');
    const [row] = await rs.json<{ v: string; tz: string }>();
    expect(row?.v).toMatch(/^\d+\.\d+/);
    expect(row?.tz).toBe('UTC');
  });

  it('serves GET queries read-only, as ClickHouse does', async () => {
    const read = await fetch(
      `${server.url}/?query=${encodeURIComponent('SELECT 1 + 1 FORMAT JSONEachRow')}`,
      {
        headers: auth,
      },
    );
    expect(read.headers.get('content-type')).toBe('application/x-ndjson; charset=UTF-8');
    expect(read.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(await read.text()).toBe('{"plus(1, 1)":2}\n');
    const write = await fetch(`${server.url}/?query=${encodeURIComponent('CREATE DATABASE via_get')}`, {
      headers: auth,
    });
    expect(write.headers.get('x-clickhouse-exception-code')).toBe('164');
    expect(await write.text()).toMatch(/^Code: 164\. DB::Exception: .*\(READONLY\) \(version [\d.]+\)\n$/);
  });

  it('created the table with its skip index', async () => {
    const rs = await db.query({
      query: `SELECT name, type FROM system.data_skipping_indices
              WHERE database = currentDatabase() AND table = 'events'`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ name: 'trace_bf', type: 'bloom_filter' }]);
  });

  it('inserts JSONEachRow and JSONCompactEachRow, with the summary and the query id', async () => {
    const inserted = await db.insert({
      table: 'events',
      format: 'JSONEachRow',
      query_id: 'insert-json-each-row',
      values: [
        {
          id: 1,
          trace_id: 't-1',
          ts: '2024-05-01 12:00:00.000001',
          attrs: { k: 'v', env: 'prod' },
          tags: ['a', 'b'],
        },
        { id: 2, trace_id: 't-1', ts: '2024-05-01 12:00:01.500000', attrs: { k: 'w' }, tags: ['b'] },
        { id: 3, trace_id: 't-2', ts: '2024-05-02 08:30:00.250000', attrs: {}, tags: [] },
      ],
    });
    expect(inserted.query_id).toBe('insert-json-each-row');
    expect(inserted.response_headers['x-clickhouse-query-id']).toBe('insert-json-each-row');
    expect(inserted.summary?.written_rows).toBe('3');

    const compact = await db.insert({
      table: 'events',
      format: 'JSONCompactEachRow',
      columns: ['id', 'trace_id', 'ts', 'attrs', 'tags'],
      values: [
        [4, 't-3', '2024-05-03 00:00:00.000000', { k: 'v' }, ['c']],
        [5, 't-3', '2024-05-03 00:00:00.000002', { k: 'x' }, ['a', 'c']],
      ],
    });
    expect(compact.summary?.written_rows).toBe('2');

    const rs = await db.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ n: 5 }]);
  });

  it('binds query parameters server-side, answering in JSONEachRow, JSON, CSV and as a stream', async () => {
    const query = `
      SELECT id, trace_id, ts, attrs, tags FROM events
      WHERE trace_id = {trace:String} AND id >= {min:UInt64} AND ts >= {since:DateTime64(6)}
        AND hasAny(tags, {tags:Array(String)}) AND attrs['k'] = {match:Map(String, String)}['k']
      ORDER BY id`;
    const query_params = {
      trace: 't-1',
      min: 1,
      since: '2024-05-01 12:00:00.000001',
      tags: ['a', 'zzz'],
      match: { k: 'v' },
    };
    const expected: EventRow = {
      id: 1,
      trace_id: 't-1',
      ts: '2024-05-01 12:00:00.000001',
      attrs: { k: 'v', env: 'prod' },
      tags: ['a', 'b'],
    };
    const settings = { output_format_json_quote_64bit_integers: 0 } as const;

    const eachRow = await db.query({
      query,
      query_params,
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    });
    expect(await eachRow.json<EventRow>()).toEqual([expected]);

    const json = await db.query({ query, query_params, format: 'JSON', clickhouse_settings: settings });
    const document = await json.json<EventRow>();
    expect(document.data).toEqual([expected]);
    expect(document.meta?.map((column) => column.type)).toEqual([
      'UInt64',
      'String',
      "DateTime64(6, 'UTC')",
      'Map(LowCardinality(String), String)',
      'Array(String)',
    ]);

    const csv = await db.query({ query: `SELECT id, trace_id FROM (${query})`, query_params, format: 'CSV' });
    expect(csv.response_headers['content-type']).toContain('text/csv');
    expect(await csv.text()).toBe('1,"t-1"\n');

    const streamed: EventRow[] = [];
    const stream = await db.query({
      query,
      query_params,
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    });
    for await (const rows of stream.stream<EventRow>()) {
      for (const row of rows) streamed.push(row.json());
    }
    expect(streamed).toEqual([expected]);

    // A Date parameter, and a string that needs every escape the client applies.
    const awkward = `it's "quoted"\tand\\back\nslashed — ünïcode`;
    const rs = await client.query({
      query: 'SELECT {s:String} AS s, toUnixTimestamp64Milli({at:DateTime64(3)}) AS ms',
      query_params: { s: awkward, at: new Date('2024-05-01T12:00:00.123Z') },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ s: awkward, ms: 1714564800123 }]);
  });

  it('sends large parameters as multipart/form-data when asked to', async () => {
    const multipart = open({ database: 'sit', use_multipart_params: true });
    const ids = Array.from({ length: 2_000 }, (_, i) => `id-${i}`);
    const rs = await multipart.query({
      query: 'SELECT length({ids:Array(String)}) AS n, {trace:String} AS t',
      query_params: { ids, trace: 't-1' },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: 2000, t: 't-1' }]);
  });

  it('applies settings to the query and rejects unknown ones', async () => {
    const quoted = await client.query({
      query: 'SELECT toUInt64(42) AS n',
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    expect(await quoted.json()).toEqual([{ n: '42' }]);
    const unquoted = await client.query({
      query: 'SELECT toUInt64(42) AS n',
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    expect(await unquoted.json()).toEqual([{ n: 42 }]);

    await expectClickHouseError(
      client.query({
        query: 'SELECT number FROM numbers(100)',
        format: 'JSONEachRow',
        clickhouse_settings: { max_result_rows: '10', result_overflow_mode: 'throw' },
      }),
      '396',
      'TOO_MANY_ROWS_OR_BYTES',
    );
    await expectClickHouseError(
      client.query({
        query: 'SELECT 1',
        format: 'JSONEachRow',
        clickhouse_settings: { no_such_setting_anywhere: 1 },
      }),
      '115',
      'UNKNOWN_SETTING',
    );
  });

  it('maps engine errors to ClickHouseError with code and type', async () => {
    await expectClickHouseError(client.query({ query: 'SELECT nope_column' }), '47', 'UNKNOWN_IDENTIFIER');
    await expectClickHouseError(client.query({ query: 'SELEC 1' }), '62', 'SYNTAX_ERROR');
    await expectClickHouseError(
      client.query({ query: 'SELECT * FROM sit.no_such_table' }),
      '60',
      'UNKNOWN_TABLE',
    );
    await expectClickHouseError(
      client.command({ query: "SELECT number FROM numbers(3) WHERE number IN ('a')" }),
      '53',
      'TYPE_MISMATCH',
    );
    await expectClickHouseError(
      db.insert({ table: 'events', format: 'JSONEachRow', values: [{ id: 'not a number' }] }),
      '27',
      'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
    );
    await expectClickHouseError(
      client.query({ query: 'SELECT {n:UInt64}', query_params: { n: 'x' } }),
      '457',
      'BAD_QUERY_PARAMETER',
    );
  });

  it('reports an error that happens after rows were streamed', async () => {
    const rs = await client.query({
      query:
        "SELECT number, throwIf(number = 300000, 'boom mid-stream') AS e FROM system.numbers LIMIT 400000",
      format: 'JSONEachRow',
      clickhouse_settings: { max_block_size: '10000' },
    });
    const error = await caught(
      (async () => {
        for await (const rows of rs.stream()) void rows;
      })(),
    );
    expect(error).toBeInstanceOf(ClickHouseError);
    expect(error).toMatchObject({ code: '395', type: 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO' });
    expect(await client.ping()).toEqual({ success: true });
  });

  it('reads gzip request bodies and gzips responses', async () => {
    const gzip = open({ database: 'sit', compression: { request: true, response: true } });
    await gzip.command({ query: 'CREATE TABLE gz (n UInt32, s String) ENGINE = MergeTree ORDER BY n' });
    const inserted = await gzip.insert({
      table: 'gz',
      format: 'JSONEachRow',
      values: Array.from({ length: 1_000 }, (_, n) => ({ n, s: 'x'.repeat(100) })),
    });
    expect(inserted.summary?.written_rows).toBe('1000');
    const rs = await gzip.query({ query: 'SELECT count() AS c, sum(n) AS s FROM gz', format: 'JSONEachRow' });
    expect(rs.response_headers['content-encoding']).toBe('gzip');
    expect(await rs.json()).toEqual([{ c: 1000, s: 499500 }]);
  });

  it('inserts 100k rows (tens of MB) quickly', async () => {
    await db.command({
      query: `CREATE TABLE bulk (id UInt64, trace_id String, ts DateTime64(6, 'UTC'),
              attrs Map(LowCardinality(String), String), payload String) ENGINE = MergeTree ORDER BY id`,
    });
    const rows = Array.from({ length: 100_000 }, (_, id) => ({
      id,
      trace_id: `trace-${id % 1000}`,
      ts: '2024-05-01 12:00:00.123456',
      attrs: { service: 'api', route: `/v1/items/${id}` },
      payload: 'p'.repeat(250),
    }));
    const megabytes = rows.reduce((sum, row) => sum + JSON.stringify(row).length + 1, 0) / 1e6;
    const started = performance.now();
    const inserted = await db.insert({ table: 'bulk', format: 'JSONEachRow', values: rows });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `100k-row JSONEachRow insert (${megabytes.toFixed(1)} MB): ${seconds.toFixed(2)} s, ` +
        `${Math.round(100_000 / seconds)} rows/s`,
    );
    expect(inserted.summary?.written_rows).toBe('100000');
    const rs = await db.query({
      query: 'SELECT count() AS n, uniqExact(id) AS u FROM bulk',
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: 100_000, u: 100_000 }]);
  });

  it('streams a large result back', async () => {
    const rs = await db.query({
      query: 'SELECT id, payload FROM bulk ORDER BY id',
      format: 'JSONCompactEachRow',
    });
    expect(rs.response_headers['transfer-encoding']).toBe('chunked');
    let count = 0;
    let last = -1;
    for await (const rows of rs.stream<[string, string]>()) {
      for (const row of rows) {
        const [id] = row.json();
        expect(Number(id)).toBe(last + 1);
        last = Number(id);
        count += 1;
      }
    }
    expect(count).toBe(100_000);
  });

  it('keeps concurrent requests apart: no lost rows, no leaked settings or database', async () => {
    await db.command({
      query: 'CREATE TABLE conc (worker UInt32, n UInt32) ENGINE = MergeTree ORDER BY (worker, n)',
    });
    const work = Array.from({ length: 20 }, async (_, worker) => {
      const insert = db.insert({
        table: 'conc',
        format: 'JSONEachRow',
        values: Array.from({ length: 500 }, (_, n) => ({ worker, n })),
      });
      const probe = (worker % 2 === 0 ? client : db).query({
        query: "SELECT getSetting('max_block_size') AS block, currentDatabase() AS db",
        format: 'JSONEachRow',
        clickhouse_settings: { max_block_size: String(1000 + worker) },
      });
      const [inserted, rs] = await Promise.all([insert, probe]);
      expect(inserted.summary?.written_rows).toBe('500');
      expect(await rs.json()).toEqual([{ block: 1000 + worker, db: worker % 2 === 0 ? 'default' : 'sit' }]);
    });
    await Promise.all(work);
    const rs = await db.query({
      query: 'SELECT worker, count() AS c, uniqExact(n) AS u FROM conc GROUP BY worker ORDER BY worker',
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual(Array.from({ length: 20 }, (_, worker) => ({ worker, c: 500, u: 500 })));
    // And nothing stuck to the connections afterwards.
    const after = await client.query({
      query: "SELECT getSetting('max_block_size') AS b",
      format: 'JSONEachRow',
    });
    expect(await after.json()).toEqual([{ b: 65409 }]);
  });

  it('keeps temporary tables within a session', async () => {
    const session_id = `s-${Date.now()}`;
    await client.command({ query: 'CREATE TEMPORARY TABLE scratch (n UInt8)', session_id });
    await client.command({ query: 'INSERT INTO scratch VALUES (1), (2)', session_id });
    const rs = await client.query({
      query: 'SELECT sum(n) AS s FROM scratch',
      format: 'JSONEachRow',
      session_id,
    });
    expect(await rs.json()).toEqual([{ s: 3 }]);
    await expectClickHouseError(client.query({ query: 'SELECT * FROM scratch' }), '60', 'UNKNOWN_TABLE');
  });

  it('survives malformed requests', async () => {
    const badChunks = await rawExchange(
      server.url,
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth.Authorization}\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\nSELECT 1\r\n0\r\n\r\n`,
    );
    expect(badChunks).toMatch(/^HTTP\/1\.1 400 /);

    const corruptGzip = await fetch(`${server.url}/?query=SELECT+1`, {
      method: 'POST',
      headers: { ...auth, 'Content-Encoding': 'gzip' },
      body: Buffer.from('definitely not gzip'),
    });
    expect(corruptGzip.status).toBe(500);
    expect(corruptGzip.headers.get('x-clickhouse-exception-code')).toBe('354');

    const gzipSql = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Encoding': 'gzip' },
      body: gzipSync('SELECT 40 + 2'),
    });
    expect(await gzipSql.text()).toBe('42\n');

    const brotli = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Encoding': 'br' },
      body: 'x',
    });
    expect(brotli.status).toBe(501);

    // A failed insert with a big body still leaves the pooled keep-alive sockets usable.
    const big = Array.from({ length: 20_000 }, (_, n) => ({ n, s: 'y'.repeat(200) }));
    await expectClickHouseError(
      db.insert({ table: 'no_such_table', format: 'JSONEachRow', values: big }),
      '60',
      'UNKNOWN_TABLE',
    );
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const rs = await db.query({ query: `SELECT ${i} AS i`, format: 'JSONEachRow' });
        return rs.json();
      }),
    );
    expect(answers).toEqual(Array.from({ length: 12 }, (_, i) => [{ i }]));
  });

  it('refuses wrong credentials with code 516; /ping answers anyone, as on a server', async () => {
    const wrong = open({ password: 'not-the-password' });
    await expectClickHouseError(wrong.query({ query: 'SELECT 1' }), '516', 'AUTHENTICATION_FAILED');
    await expectClickHouseError(
      open({ password: '' }).command({ query: 'SELECT 1' }),
      '516',
      'AUTHENTICATION_FAILED',
    );
    await expectClickHouseError(
      open({ username: 'nobody' }).insert({
        table: 'sit.events',
        values: [{ id: 9 }],
        format: 'JSONEachRow',
      }),
      '516',
      'AUTHENTICATION_FAILED',
    );
    // A server's /ping is not authenticated, so client.ping() succeeds; ping with a SELECT is not.
    expect(await wrong.ping()).toEqual({ success: true });
    const selectPing = await wrong.ping({ select: true });
    expect(selectPing.success).toBe(false);
    expect(selectPing.success ? undefined : selectPing.error).toMatchObject({ code: '516' });

    const anonymous = await fetch(`${server.url}/?query=SELECT+1`);
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('x-clickhouse-exception-code')).toBe('516');
    expect(await anonymous.text()).toMatch(
      /^Code: 516\. DB::Exception: default: Authentication failed: password is incorrect, or there is no user with such name\.\. \(AUTHENTICATION_FAILED\)/,
    );
    const viaParams = await fetch(`${server.url}/?query=SELECT+7&user=default&password=${password}`);
    expect(await viaParams.text()).toBe('7\n');
    const viaHeaders = await fetch(`${server.url}/?query=SELECT+8`, {
      headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': password },
    });
    expect(await viaHeaders.text()).toBe('8\n');
  });

  it('answers local programs only: a non-loopback Host or any Origin is refused', async () => {
    const ask = (headers: string) =>
      rawExchange(
        server.url,
        `GET /?query=SELECT+1 HTTP/1.1\r\n${headers}Authorization: ${auth.Authorization}\r\nConnection: close\r\n\r\n`,
      );
    const port = new URL(server.url).port;
    for (const host of [`evil.example:${port}`, '10.0.0.1', 'localhost.evil.example']) {
      const answer = await ask(`Host: ${host}\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(answer).toMatch(/X-ClickHouse-Exception-Code: 497/);
      expect(answer).toContain('(ACCESS_DENIED)');
    }
    const fromPage = await ask(`Host: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:3000\r\n`);
    expect(fromPage).toMatch(/^HTTP\/1\.1 403 /);
    expect(
      await rawExchange(
        server.url,
        'GET /ping HTTP/1.1\r\nHost: rebound.example\r\nConnection: close\r\n\r\n',
      ),
    ).toMatch(/^HTTP\/1\.1 403 /);
    for (const host of [`localhost:${port}`, `[::1]:${port}`, '127.0.0.2']) {
      expect(await ask(`Host: ${host}\r\n`)).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n1\n$/);
    }
  });

  it('refuses table functions, engines and clauses that reach files, the network or the host', async () => {
    for (const query of [
      "SELECT * FROM file('/etc/hostname', 'LineAsString')",
      "SELECT file('/etc/hostname')",
      "SELECT * FROM url('http://127.0.0.1:1/', 'CSV', 'a String')",
      "SELECT * FROM s3('http://127.0.0.1:1/b/k.csv', 'CSV', 'a String')",
      "SELECT * FROM remote('127.0.0.1:1', system.one)",
      "SELECT * FROM executable('id', 'TSV', 'a String')",
      "CREATE TABLE sit.outside (a String) ENGINE = URL('http://127.0.0.1:1/', CSV)",
      'SYSTEM SHUTDOWN',
    ]) {
      await expectClickHouseError(client.command({ query }), '497', 'ACCESS_DENIED');
    }
    await expectClickHouseError(
      db.insert({
        table: "FUNCTION file('out.jsonl', 'JSONEachRow', 'a UInt8')",
        values: [{ a: 1 }],
        format: 'JSONEachRow',
      }),
      '497',
      'ACCESS_DENIED',
    );
    await expectClickHouseError(
      client.query({ query: "SELECT 1 INTO OUTFILE 'out.csv'" }),
      '486',
      'INTO_OUTFILE_NOT_ALLOWED',
    );
    // Still the same server, and lookalikes inside strings are plain data.
    const rs = await client.query({ query: "SELECT 'file(x)' AS s", format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ s: 'file(x)' }]);
  });

  it('reads a number for DateTime64 as a 26.9 server does: Unix seconds at the column scale', async () => {
    // ClickHouse PR #108091 (mid-2026): an unquoted JSON number is seconds with optional fraction.
    // Servers before it read the number as raw ticks of the column's scale, so the project sends
    // strings; a number of epoch milliseconds is read as seconds and lands far beyond 2299.
    await db.command({
      query: "CREATE TABLE times (n UInt8, ts DateTime64(6, 'UTC')) ENGINE = MergeTree ORDER BY n",
    });
    await db.insert({
      table: 'times',
      format: 'JSONEachRow',
      values: [
        { n: 1, ts: 1714564800 },
        { n: 2, ts: 1714564800.25 },
        { n: 3, ts: '2024-05-01 12:00:00.123456' },
        { n: 4, ts: 1714564800123 },
      ],
    });
    const rs = await db.query({ query: 'SELECT n, ts FROM times ORDER BY n', format: 'JSONEachRow' });
    const rows = await rs.json<{ n: number; ts: string }>();
    expect(rows.slice(0, 3)).toEqual([
      { n: 1, ts: '2024-05-01 12:00:00.000000' },
      { n: 2, ts: '2024-05-01 12:00:00.250000' },
      { n: 3, ts: '2024-05-01 12:00:00.123456' },
    ]);
    expect(rows[3]?.ts).not.toBe('2024-05-01 12:00:00.123000');
    expect(Number(rows[3]?.ts.slice(0, 4))).toBeGreaterThan(2299);
  });

  it('answers the JSON format with its whole envelope', async () => {
    const rs = await client.query({ query: 'SELECT number AS n FROM numbers(10) LIMIT 3', format: 'JSON' });
    const document = await rs.json<{ n: string }>();
    expect(document.meta).toEqual([{ name: 'n', type: 'UInt64' }]);
    expect(document.data).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(document.rows).toBe(3);
    expect(document.rows_before_limit_at_least).toBeGreaterThanOrEqual(3);
    expect(document.statistics?.elapsed).toBeGreaterThan(0);
    expect(document.statistics?.rows_read).toBeGreaterThanOrEqual(3);
    expect(document.statistics?.bytes_read).toBeGreaterThan(0);
    const compact = await client.query({ query: 'SELECT 1 AS one', format: 'JSONCompact' });
    expect(await compact.json()).toMatchObject({ data: [[1]], rows: 1, statistics: { rows_read: 1 } });
  });

  it('streams JSONEachRowWithProgress rows: meta, rows, progress', async () => {
    const rs = await client.query({
      query: 'SELECT number AS n FROM numbers(5) LIMIT 4',
      format: 'JSONEachRowWithProgress',
    });
    const seen: Record<string, unknown>[] = [];
    for await (const rows of rs.stream()) {
      for (const row of rows) seen.push(row.json() as Record<string, unknown>);
    }
    expect(seen.filter((row) => 'row' in row)).toEqual([0, 1, 2, 3].map((n) => ({ row: { n } })));
    expect(seen[0]).toEqual({ meta: [{ name: 'n', type: 'UInt64' }] });
    const progress = seen.find((row) => 'progress' in row) as
      | { progress: Record<string, string> }
      | undefined;
    expect(Number(progress?.progress.read_rows)).toBeGreaterThanOrEqual(4);
    expect(seen).toContainEqual({ rows_before_limit_at_least: expect.any(Number) });
  });

  it('accepts every setting of system.settings per request, and refuses an unknown one', async () => {
    const rs = await client.query({
      query: 'SELECT name, value FROM system.settings',
      format: 'JSONEachRow',
    });
    const settings = await rs.json<{ name: string; value: string }>();
    expect(settings.length).toBeGreaterThan(1000);
    const refused: string[] = [];
    for (let i = 0; i < settings.length; i += 16) {
      await Promise.all(
        settings.slice(i, i + 16).map(({ name, value }) =>
          client
            .query({ query: 'SELECT 1', format: 'JSONEachRow', clickhouse_settings: { [name]: value } })
            .then((answer) => answer.json())
            .catch((err: Error) => refused.push(`${name}=${value}: ${err.message}`)),
        ),
      );
    }
    expect(refused).toEqual([]);
    await expectClickHouseError(
      client.query({ query: 'SELECT 1', clickhouse_settings: { not_a_setting_at_all: 1 } }),
      '115',
      'UNKNOWN_SETTING',
    );
  });

  it('reports syntax errors as syntax errors, with the code header and the query id', async () => {
    const error = await caught(client.query({ query: 'SELEC 1', query_id: 'bad-syntax' }));
    expect(error).toBeInstanceOf(ClickHouseError);
    expect(error).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
    expect((error as Error).message).toMatch(/^Syntax error/);
    const raw = await fetch(`${server.url}/?query_id=raw-bad`, {
      method: 'POST',
      headers: auth,
      body: 'SELEC 1',
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(raw.headers.get('x-clickhouse-query-id')).toBe('raw-bad');
    expect(await raw.text()).toMatch(
      /^Code: 62\. DB::Exception: Syntax error: .*\(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s,
    );
  });

  it('sends the headers the client reads: summary, query id, format', async () => {
    const rs = await client.query({
      query: 'SELECT number FROM numbers(1000)',
      format: 'JSONCompactEachRow',
      query_id: 'headers-probe',
    });
    await rs.text();
    expect(rs.query_id).toBe('headers-probe');
    expect(rs.response_headers['x-clickhouse-query-id']).toBe('headers-probe');
    expect(rs.response_headers['x-clickhouse-format']).toBe('JSONCompactEachRow');
    const summary = JSON.parse(String(rs.response_headers['x-clickhouse-summary']));
    expect(summary).toMatchObject({ read_rows: '1000', result_rows: '1000', written_rows: '0' });
  });

  it('keeps its data across a SIGTERM restart', async () => {
    await Promise.all(clients.map((opened) => opened.close()));
    clients.length = 0;
    expect(await stopServer(server)).toBe(0);
    expect(server.output.join('')).toContain('"stopped"');

    server = await startServer(python, dataDir);
    client = open();
    db = open({ database: 'sit' });
    const rs = await db.query({
      query: `SELECT (SELECT count() FROM events) AS events, (SELECT count() FROM bulk) AS bulk,
                     (SELECT sum(n) FROM conc) AS conc`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ events: 5, bulk: 100_000, conc: 20 * ((499 * 500) / 2) }]);
  });
});
