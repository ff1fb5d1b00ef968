import { envInt, infraEnvShape, loadConfig, topicsEnvShape } from '@tracehouse/shared/node';
import { z } from 'zod';

export const AlerterConfig = z
  .object({
    ...infraEnvShape,
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Health endpoint when the alerter runs alone. */
    ALERTER_HEALTH_PORT: envInt(8082, 0, 65535),
    ...topicsEnvShape,
    /**
     * Consumer group of the rule-ownership topic: its partitions are split among the alerter
     * processes, and a rule belongs to the process holding its partition (docs/ALERTS.md).
     */
    ALERTER_GROUP_ID: z.string().min(1).default('tracehouse-alerter'),
    /** Partitions of the ownership topic: the most alerter processes that can share the rules. */
    ALERTER_OWNERSHIP_PARTITIONS: envInt(12, 1, 1024),
    /** How soon a dead alerter's rules move to the others (Kafka session timeout, broker min 6 s). */
    ALERTER_SESSION_TIMEOUT_MS: envInt(10_000, 6_000, 300_000),
    /** A newly owned rule waits this long before it is evaluated, so the previous owner's last write lands. */
    ALERTER_HANDOVER_GRACE_MS: envInt(3_000, 0, 60_000),
    /** How often every owned rule is evaluated. */
    ALERTER_EVAL_INTERVAL_MS: envInt(5_000, 100, 60_000),
    /** How often rules are re-read from ClickHouse. */
    ALERTER_RULES_REFRESH_MS: envInt(10_000, 100, 300_000),
    /**
     * Late-event allowance: a window is evaluated this long after its end by event time, so events
     * up to this late still count; older ones are dropped as too late.
     */
    ALERTER_LATENESS_MS: envInt(5_000, 0, 600_000),
    /** Windows with at most this many values give exact percentiles; larger ones use the sketch. */
    ALERTER_EXACT_MAX_VALUES: envInt(1_000, 0, 1_000_000),
    /** Spans whose name, type, tags and status are kept for joining metrics. */
    ALERTER_SPAN_CACHE_MAX: envInt(200_000, 1, 10_000_000),
    /** A metric whose span is not in the cache is looked up in ClickHouse after this wait… */
    ALERTER_JOIN_WAIT_MS: envInt(2_000, 0, 600_000),
    /** …and dropped when its span is still nowhere after this long. */
    ALERTER_JOIN_GIVE_UP_MS: envInt(120_000, 1_000, 3_600_000),
    /** Longest rule window the alerter rebuilds on start (replayed from the topics). */
    ALERTER_MAX_WINDOW_SECONDS: envInt(86_400, 1, 7 * 86_400),
    ALERTER_DELIVERY_TIMEOUT_MS: envInt(5_000, 100, 60_000),
    ALERTER_DELIVERY_MAX_ATTEMPTS: envInt(8, 1, 50),
    ALERTER_DELIVERY_RETRY_MIN_MS: envInt(1_000, 1, 600_000),
    ALERTER_DELIVERY_RETRY_MAX_MS: envInt(300_000, 1, 3_600_000),
    /** Deliveries in flight at once, over all rules. */
    ALERTER_DELIVERY_CONCURRENCY: envInt(16, 1, 1_000),
  })
  .refine((c) => c.ALERTER_DELIVERY_RETRY_MAX_MS >= c.ALERTER_DELIVERY_RETRY_MIN_MS, {
    path: ['ALERTER_DELIVERY_RETRY_MAX_MS'],
    message: 'must be >= ALERTER_DELIVERY_RETRY_MIN_MS',
  })
  .refine((c) => c.ALERTER_JOIN_GIVE_UP_MS >= c.ALERTER_JOIN_WAIT_MS, {
    path: ['ALERTER_JOIN_GIVE_UP_MS'],
    message: 'must be >= ALERTER_JOIN_WAIT_MS',
  });
export type AlerterConfig = z.output<typeof AlerterConfig>;

export const loadAlerterConfig = (env: Record<string, string | undefined>): AlerterConfig =>
  loadConfig(AlerterConfig, env);
