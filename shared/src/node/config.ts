import { z } from 'zod';
import { AppError, ErrorCodes } from '../errors.js';

/**
 * Env parsing building blocks. Every service declares one zod schema over `process.env`-shaped input
 * and calls `loadConfig` once in its `main.ts`; nothing else reads the environment.
 */
export const envBool = (fallback: boolean) =>
  // z.stringbool accepts true/false, 1/0, yes/no, on/off and rejects anything else,
  // so "false" never becomes true the way Boolean("false") would.
  z
    .stringbool()
    .optional()
    .transform((v) => v ?? fallback);

export const envInt = (fallback: number, min: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(min)
    .max(max)
    .optional()
    .transform((v) => v ?? fallback);

/** Comma-separated list, blanks dropped; `KAFKA_BROKERS=a:9092, b:9092`. */
export const envList = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? fallback
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Settings every service shares: where Kafka and ClickHouse are, and how loudly to log. */
export const infraEnvShape = {
  LOG_LEVEL: LogLevel.default('info'),
  /** `pretty` lines for a terminal, `json` lines for collectors; `auto`: pretty when stdout is a terminal. */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  KAFKA_BROKERS: envList(['127.0.0.1:19092']).pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/)).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).default('tracehouse'),
  CLICKHOUSE_URL: z.url().default('http://127.0.0.1:18123'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('tracehouse'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  /**
   * Ask ClickHouse to gzip its responses. Off by default: next to the server, compressing costs more
   * than sending (360 KB of partly random text: 21–23 ms gzipped against 10–11 plain; a trace's 20
   * realistic spans, which compress easily: 35 against 32 ms p50). Worth it when ClickHouse is far
   * away (another region, a metered link).
   */
  CLICKHOUSE_COMPRESS_RESPONSES: envBool(false),
} as const;

/** Blank values count as unset, as in most env-file tooling (`FOO=` means "use the default"). */
function withoutBlanks(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/** Parses env against a schema; on failure one AppError lists every bad variable by name. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(withoutBlanks(env));
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new AppError(ErrorCodes.CONFIG, `invalid configuration: ${problems.join('; ')}`, {
    details: { problems },
  });
}
