import { type Admin, type ITopicConfig, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from '../logger.js';
import { useUnfilledEncoderGrowth } from './encoder-growth.js';
import { toKafkaAppError } from './errors.js';
import { framedSocketFactory, useWholeResponses } from './framed-socket.js';
import { useNativeCrc32c } from './native-crc32c.js';
import { useRopeEncoder } from './rope-encoder.js';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Per-request timeout; bounded so a dead broker surfaces as back-pressure instead of a hang. */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  retry?: KafkaConfig['retry'];
}

const pinoLevelOf = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
  [logLevel.NOTHING]: 'silent',
} as const;

/**
 * What brokers answer while a group or partition settles (kafkajs retries them by itself), and a
 * warning about a setting we chose on purpose: nothing a user can act on, so they are debug lines.
 */
const transient = [
  /coordinator is loading/i,
  /not the (correct )?coordinator/i,
  /no leader for this topic-partition/i,
  /not the leader/i,
  /group is rebalancing|rebalance in progress/i,
  /Limiting retries for the idempotent producer/i,
];

/** Routes kafkajs' own log lines into our pino logger as structured objects. */
export function pinoLogCreator(logger: Logger): KafkaConfig['logCreator'] {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const quiet = transient.some((pattern) => pattern.test(`${message} ${String(extra.error ?? '')}`));
      const method = quiet ? 'debug' : (pinoLevelOf[level as keyof typeof pinoLevelOf] ?? 'info');
      if (method === 'silent') return;
      logger[method]({ kafkajs: namespace, ...extra }, message);
    };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const logger = options.logger.child({ component: 'kafkajs' });
  if (!useNativeCrc32c()) logger.debug('kafkajs checksums in JavaScript (loaded before the native CRC32C)');
  useUnfilledEncoderGrowth();
  useWholeResponses();
  if (!useRopeEncoder()) logger.debug('kafkajs copies record batches (its produce request loaded before)');
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: options.retry ?? { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    socketFactory: framedSocketFactory(),
  });
}

/** Creates the topics that do not exist yet; existing ones are left alone (idempotent at start-up). */
export async function ensureTopics(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (err) {
    // Two processes starting together race to create; losing that race is fine.
    if ((err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return;
    throw toKafkaAppError(err, 'creating topics');
  }
}

/** Healthy when the cluster answers a metadata request within the client's timeouts. */
export async function kafkaHealthy(admin: Admin): Promise<boolean> {
  try {
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  }
}

/**
 * Retries a Kafka call while kafkajs marks the failure retriable (e.g. "not the leader" right after a
 * topic was created, before metadata settles), then gives up with the translated error.
 */
export async function withKafkaRetries<T>(
  action: string,
  call: () => Promise<T>,
  { attempts = 10, delayMs = 200 }: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= attempts) throw toKafkaAppError(err, action);
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}
