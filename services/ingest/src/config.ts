import { Limits } from '@tracehouse/shared';
import { envInt, infraEnvShape, loadConfig, topicsEnvShape } from '@tracehouse/shared/node';
import { z } from 'zod';

const MiB = 1024 * 1024;

export const IngestConfig = z
  .object({
    ...infraEnvShape,
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
    /** How long saving a just-acknowledged span waits for the writer to store it. */
    READ_YOUR_WRITES_WAIT_MS: envInt(5_000, 0, 60_000),
    /** Requests per API key per window, per ingest process; 0 turns rate limiting off. */
    RATE_LIMIT_MAX: envInt(0, 0, 10_000_000),
    RATE_LIMIT_WINDOW_MS: envInt(1_000, 100, 3_600_000),
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
  });
export type IngestConfig = z.output<typeof IngestConfig>;

export const loadIngestConfig = (env: Record<string, string | undefined>): IngestConfig =>
  loadConfig(IngestConfig, env);
