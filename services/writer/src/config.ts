import { envInt, infraEnvShape, loadConfig, topicsEnvShape } from '@tracehouse/shared/node';
import { z } from 'zod';

const MiB = 1024 * 1024;

export const WriterConfig = z
  .object({
    ...infraEnvShape,
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Health endpoint when the writer runs alone. */
    WRITER_HEALTH_PORT: envInt(8081, 0, 65535),
    ...topicsEnvShape,
    WRITER_GROUP_ID: z.string().min(1).default('tracehouse-writer'),
    /** A writer silent this long (a pause, a partition) loses its partitions to the others. */
    WRITER_SESSION_TIMEOUT_MS: envInt(30_000, 3_000, 300_000),
    /** Kafka records per batch (a record carries the events of one trace from one request). */
    BATCH_MAX_ROWS: envInt(10_000, 1, 1_000_000),
    /** Consumed bytes per batch. At full load a batch of realistic spans (9 KB each) fills 128 MiB
     * with about 8,000 of them in the longer delay below: ClickHouse spent 70 µs per span against 84
     * with 64 MiB (about 5,000 per batch), for 200-300 MiB more of the writer's memory at that load. */
    BATCH_MAX_BYTES: envInt(128 * MiB, 1_024, 1_024 * MiB),
    /** The delay while the writer keeps up: what visibility at moderate load is made of (at full load
     * the longer delay below applies). Under a steady load at half the bench's maximum, 300 ms gave
     * 848–1,328 ms p99 (under a second in four runs of seven) and 400 ms 1,066–1,319, for an eighth
     * more of ClickHouse's CPU per span at that rate (docs/WRITE-PATH.md §4). */
    BATCH_MAX_DELAY_MS: envInt(300, 0, 60_000),
    /** The delay while the writer is behind (records wait in Kafka) or saturated (writing back to
     * back, with writes of twice BATCH_MAX_DELAY_MS or more): larger inserts cost ClickHouse less
     * per row. Never below BATCH_MAX_DELAY_MS. */
    BATCH_MAX_DELAY_BEHIND_MS: envInt(2_000, 0, 60_000),
    /** Traces this writer holds (every span and metric row), so later events need no read. */
    WRITER_CACHE_MAX_BYTES: envInt(512 * MiB, 0, 16_384 * MiB),
    /** Stored rows one batch may read (traces it does not hold); past it the batch is written in halves. */
    WRITER_LOAD_MAX_BYTES: envInt(256 * MiB, MiB, 16_384 * MiB),
    /** Consecutive failures of one batch for a reason retrying cannot fix, before it is dead-lettered. */
    WRITER_MAX_FAILED_ATTEMPTS: envInt(5, 1, 1_000),
    /** How often the consumer lag gauge (`/metrics`) is refreshed. */
    LAG_POLL_MS: envInt(5_000, 500, 300_000),
    RETRY_MIN_MS: envInt(200, 1, 60_000),
    RETRY_MAX_MS: envInt(10_000, 1, 600_000),
  })
  .refine((c) => c.RETRY_MAX_MS >= c.RETRY_MIN_MS, {
    path: ['RETRY_MAX_MS'],
    message: 'must be >= RETRY_MIN_MS',
  });
export type WriterConfig = z.output<typeof WriterConfig>;

export const loadWriterConfig = (env: Record<string, string | undefined>): WriterConfig =>
  loadConfig(WriterConfig, env);
