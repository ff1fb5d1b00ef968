import type {
  Logger as ClickHouseLogger,
  ErrorLogParams,
  LogParams,
  WarnLogParams,
} from '@clickhouse/client';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { Logger } from '../logger.js';

export interface ClickHouseOptions {
  url: string;
  database: string;
  username?: string;
  password?: string;
  logger: Logger;
  requestTimeoutMs?: number;
  maxOpenConnections?: number;
  /** Extra settings sent with every request, e.g. `{ async_insert: 0 }`. */
  settings?: Record<string, string | number>;
  /** gzip responses (`CLICKHOUSE_COMPRESS_RESPONSES`); requests are never compressed. */
  compressResponses?: boolean;
}

/**
 * clickhouse-js instantiates its logger class itself (no constructor arguments),
 * so the pino child is captured in a class made per client.
 */
function pinoLoggerClass(logger: Logger): new () => ClickHouseLogger {
  return class PinoClickHouseLogger implements ClickHouseLogger {
    trace({ module, message, args }: LogParams) {
      logger.trace({ module, ...args }, message);
    }
    debug({ module, message, args }: LogParams) {
      logger.debug({ module, ...args }, message);
    }
    info({ module, message, args }: LogParams) {
      logger.info({ module, ...args }, message);
    }
    warn({ module, message, args, err }: WarnLogParams) {
      logger.warn({ module, ...args, err }, message);
    }
    error({ module, message, args, err }: ErrorLogParams) {
      logger.error({ module, ...args, err }, message);
    }
  };
}

/** Past this a query may outlast a proxy's idle timeout: the server is asked to send progress headers. */
const longRequestMs = 60_000;

export function createClickHouse(options: ClickHouseOptions): ClickHouseClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? longRequestMs;
  return createClient({
    url: options.url,
    database: options.database,
    username: options.username ?? 'default',
    password: options.password ?? '',
    request_timeout: requestTimeoutMs,
    max_open_connections: options.maxOpenConnections ?? 16,
    // A socket idle past the TTL is not reused even when the event loop was too busy to close it in
    // time: a server that already closed it would answer the next query with "socket hang up".
    keep_alive: { enabled: true, idle_socket_ttl: 2_500, eagerly_destroy_stale_sockets: true },
    compression: { request: false, response: options.compressResponses ?? false },
    clickhouse_settings: {
      // Timestamps travel as ISO/'YYYY-MM-DD hh:mm:ss.ffffff' strings in UTC.
      date_time_input_format: 'best_effort',
      // Servers differ in their default (26.x unquotes); pinned so 64-bit integers always arrive as strings.
      output_format_json_quote_64bit_integers: 1,
      // Headers while a long query runs keep its connection from looking idle (clickhouse-js's advice).
      ...(requestTimeoutMs > longRequestMs
        ? { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' }
        : {}),
      ...options.settings,
    },
    log: {
      LoggerClass: pinoLoggerClass(options.logger.child({ component: 'clickhouse' })),
      level: ClickHouseLogLevel.WARN,
    },
  });
}

/** Healthy when the server answers a real query, not only /ping (the engine may still be loading). */
export async function clickhouseHealthy(client: ClickHouseClient): Promise<boolean> {
  try {
    const ping = await client.ping();
    if (!ping.success) return false;
    const rs = await client.query({ query: 'SELECT 1 AS ok', format: 'JSONEachRow' });
    const rows = await rs.json<{ ok: number }>();
    return rows[0]?.ok === 1;
  } catch {
    return false;
  }
}

/** Connection settings from a service config built on `infraEnvShape`. */
export function clickhouseConnection(config: {
  CLICKHOUSE_URL: string;
  CLICKHOUSE_DATABASE: string;
  CLICKHOUSE_USER: string;
  CLICKHOUSE_PASSWORD: string;
  CLICKHOUSE_COMPRESS_RESPONSES?: boolean;
}): Pick<ClickHouseOptions, 'url' | 'database' | 'username' | 'password' | 'compressResponses'> {
  return {
    url: config.CLICKHOUSE_URL,
    database: config.CLICKHOUSE_DATABASE,
    username: config.CLICKHOUSE_USER,
    password: config.CLICKHOUSE_PASSWORD,
    compressResponses: config.CLICKHOUSE_COMPRESS_RESPONSES,
  };
}
