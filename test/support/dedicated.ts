import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LocalClickHouse, LocalKafka } from '@tracehouse/local-services';
import { testServices } from './clients.js';

/**
 * A Kafka broker or ClickHouse engine of a test's own, for tests that stop, restart or kill it:
 * doing that to the shared services would break every other test file.
 * Local processes normally; containers when the shared services are containers.
 */
export interface DedicatedService {
  /** Kafka: `host:port` list; ClickHouse: http URL. */
  readonly endpoint: string;
  /** ClickHouse: the password of the user `default` (the shared services' one when they have one). */
  readonly password?: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops (if running) and deletes its data. */
  dispose(): Promise<void>;
}

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function dedicatedKafka(): Promise<DedicatedService> {
  if (testServices().mode === 'docker') {
    const { dedicatedKafkaContainer } = await import('./dedicated-containers.js');
    return dedicatedKafkaContainer();
  }
  const dataDir = await tempDir('th-kafka-');
  const kafka = new LocalKafka({ dataDir, port: await freePort(), controllerPort: await freePort() });
  await kafka.start();
  return {
    endpoint: kafka.brokers.join(','),
    start: () => kafka.start(),
    stop: () => kafka.stop(),
    dispose: async () => {
      await kafka.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Takes the shared services' user and password, so a test's clients reach it with the same
 * credentials (testClickHouse, Stack); a ClickHouse always requires one here, so an empty shared
 * password (an external server without one) is replaced by a fixed test password.
 */
export async function dedicatedClickHouse(): Promise<DedicatedService> {
  const password = testServices().clickhousePassword || 'dedicated-test-password';
  if (testServices().mode === 'docker') {
    const { dedicatedClickHouseContainer } = await import('./dedicated-containers.js');
    return { ...(await dedicatedClickHouseContainer(password)), password };
  }
  const dataDir = await tempDir('th-clickhouse-');
  const clickhouse = new LocalClickHouse({ dataDir, port: await freePort(), password });
  await clickhouse.start();
  return {
    endpoint: clickhouse.url,
    password,
    start: () => clickhouse.start(),
    stop: () => clickhouse.stop(),
    dispose: async () => {
      await clickhouse.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
