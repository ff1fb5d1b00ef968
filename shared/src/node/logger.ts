import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they appear. Keys and passwords never reach a log line,
 * even when a whole request, config or error object is logged.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-clickhouse-key"]',
  // OTLP exporters that only take custom headers send the key here.
  'req.headers["x-tracehouse-key"]',
  'headers["x-tracehouse-key"]',
  'headers.authorization',
  'authorization',
  'password',
  'apiKey',
  'api_key',
  'CLICKHOUSE_PASSWORD',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.CLICKHOUSE_PASSWORD',
  // Alert rules: the webhook signing secret, and channel URLs (Slack's carry their token in the path).
  'secret',
  '*.secret',
  'channels[*].url',
  '*.channels[*].url',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; tests pass a stream to assert on output. Defaults to stdout. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty) instead of JSON; for a terminal. Ignored with `destination`. */
  pretty?: boolean;
}

/** `LOG_FORMAT`: `json`, `pretty`, or unset/`auto` (pretty when stdout is a terminal, JSON otherwise). */
export function prettyLogs(format: string | undefined, stdoutIsTty = process.stdout.isTTY === true): boolean {
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return stdoutIsTty;
}

export function createLogger({ name, level = 'info', destination, pretty = false }: LoggerOptions): Logger {
  const options = {
    name,
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { pid: process.pid, service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (!pretty) return pino(options);
  // One readable line per event, the fields that differ after it (redaction applies before).
  return pino(
    options,
    pino.transport({
      target: 'pino-pretty',
      options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service,name' },
    }),
  );
}
