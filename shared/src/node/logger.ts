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
}

export function createLogger({ name, level = 'info', destination }: LoggerOptions): Logger {
  const options = {
    name,
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { pid: process.pid, service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
