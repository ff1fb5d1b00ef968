import { isIP } from 'node:net';
import { Limits } from '@tracehouse/shared';
import { envInt, envList, infraEnvShape, loadConfig, topicsEnvShape } from '@tracehouse/shared/node';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** What one server process serves: the write routes (ingest), the read routes (api), or both. */
export const ServerRole = z.enum(['ingest', 'api']);
export type ServerRole = z.infer<typeof ServerRole>;

/** Loopback only: `localhost`, 127.0.0.0/8 and ::1 (LOCAL_PROJECT serves without a key). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

export const ServerConfig = z
  .object({
    ...infraEnvShape,
    /** Comma-separated roles; `ingest,api` (the default) is the combined process. */
    SERVICES: envList(['ingest', 'api']).pipe(z.array(ServerRole).min(1)),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: envInt(8080, 0, 65535),
    /** Requests without an Authorization header go to this project (single-project local mode). */
    LOCAL_PROJECT: z.string().min(1).max(256).optional(),
    ...topicsEnvShape,
    SPAN_INDEX_MAX_ENTRIES: envInt(1_000_000, 1_000, 50_000_000),
    SPAN_INDEX_REPLAY_MS: envInt(10 * 60_000, 0, 24 * 60 * 60_000),
    SPAN_INDEX_CATCH_UP_MS: envInt(3_000, 10, 60_000),
    /** Shifts this process's version clock (fault tests: ingest processes whose clocks disagree). */
    INGEST_CLOCK_SKEW_MS: envInt(0, -3_600_000, 3_600_000),
    /** Largest span input/output, as JSON text. */
    IO_MAX_BYTES: envInt(Limits.defaultIoMaxBytes, 1_024, 64 * MiB),
    /** Largest request body; beyond it 413. Must hold a span with input and output at IO_MAX_BYTES. */
    BODY_LIMIT_BYTES: envInt(16 * MiB, 1_024, 256 * MiB),
    INGEST_MAX_ITEMS: envInt(1_000, 1, 100_000),
    /** How long a read waits for the writer to store something acknowledged. */
    READ_YOUR_WRITES_WAIT_MS: envInt(5_000, 0, 60_000),
    /** Requests per project per window, per process; 0 turns rate limiting off. */
    RATE_LIMIT_MAX: envInt(100, 0, 10_000_000),
    RATE_LIMIT_WINDOW_MS: envInt(1_000, 100, 3_600_000),
    /** How long a valid key stays cached: the bound on how late a revocation takes effect. */
    AUTH_CACHE_TTL_MS: envInt(30_000, 0, 600_000),
    /** Lookups of keys not in the cache per second per process; past it 401 without a query. */
    AUTH_UNKNOWN_KEY_LOOKUPS_PER_SECOND: envInt(50, 1, 100_000),
    /** Fastify: whole request (headers and body) / idle socket before the first request / keep-alive. */
    REQUEST_TIMEOUT_MS: envInt(30_000, 1_000, 600_000),
    CONNECTION_TIMEOUT_MS: envInt(10_000, 1_000, 600_000),
    KEEP_ALIVE_TIMEOUT_MS: envInt(65_000, 1_000, 600_000),
    /** Search pages and trace reads stop adding rows past this many bytes of JSON. */
    RESPONSE_MAX_BYTES: envInt(8 * MiB, 64 * 1024, 256 * MiB),
    /** Per read query, as ClickHouse settings. */
    QUERY_MAX_EXECUTION_SECONDS: envInt(30, 1, 3_600),
    QUERY_MAX_MEMORY_BYTES: envInt(2_048 * MiB, 16 * MiB, 1024 * 1024 * MiB),
    // ClickHouse checks it on subqueries too (trace search's IN sets, analytics' join sides), so it is
    // set well above any page: it bounds those intermediate sets, not only what is sent.
    QUERY_MAX_RESULT_ROWS: envInt(1_000_000, 10_001, 1_000_000_000),
    /** Exports stream without a row cap, so they get a longer time limit. */
    EXPORT_MAX_EXECUTION_SECONDS: envInt(600, 1, 86_400),
    ANALYTICS_MAX_WINDOW_DAYS: envInt(90, 1, 3_650),
    ANALYTICS_MAX_BUCKETS: envInt(1_000, 10, 100_000),
    /** `/healthz` runs its checks at most once per this many ms; concurrent probes share a run. */
    HEALTH_CACHE_MS: envInt(1_000, 0, 60_000),
    PRODUCE_LINGER_MS: envInt(5, 0, 1_000),
    PRODUCE_MAX_BATCH_RECORDS: envInt(2_000, 1, 100_000),
    PRODUCE_MAX_BATCH_BYTES: envInt(8 * MiB, 1_024, 512 * MiB),
    /** Accepted but unacknowledged bytes; beyond it requests get 503 + Retry-After. */
    PRODUCE_MAX_PENDING_BYTES: envInt(128 * MiB, MiB, 4_096 * MiB),
    PRODUCE_MAX_IN_FLIGHT: envInt(1, 1, 16),
    /** A send Kafka has not acknowledged by then fails the request with 503 (not acknowledged). */
    PRODUCE_TIMEOUT_MS: envInt(10_000, 100, 120_000),
  })
  .refine((c) => c.BODY_LIMIT_BYTES >= 2 * c.IO_MAX_BYTES, {
    path: ['BODY_LIMIT_BYTES'],
    message: 'must be at least twice IO_MAX_BYTES (a span carries an input and an output)',
  })
  .refine((c) => c.TOPIC_MAX_MESSAGE_BYTES > Math.max(c.PRODUCE_MAX_BATCH_BYTES, c.BODY_LIMIT_BYTES), {
    path: ['TOPIC_MAX_MESSAGE_BYTES'],
    message: 'must exceed PRODUCE_MAX_BATCH_BYTES and BODY_LIMIT_BYTES (a batch or a span must fit a topic)',
  })
  // LOCAL_PROJECT answers every request without a key as that project: anyone who can reach the port
  // would read and write it, so it is only allowed where nobody else can connect.
  .refine((c) => c.LOCAL_PROJECT === undefined || isLoopbackHost(c.HOST), {
    path: ['LOCAL_PROJECT'],
    message:
      'serves requests without an API key, so HOST must be a loopback address (127.0.0.1, ::1, localhost); unset LOCAL_PROJECT to listen on other interfaces',
  });
export type ServerConfig = z.output<typeof ServerConfig>;

export const loadServerConfig = (env: Record<string, string | undefined>): ServerConfig =>
  loadConfig(ServerConfig, env);
