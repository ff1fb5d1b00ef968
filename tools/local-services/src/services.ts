import { join } from 'node:path';
import { LocalClickHouse } from './clickhouse.js';
import { composeDown, composeUp, dockerAvailable } from './docker.js';
import { readEnvFile, removeEnvFile, writeEnvFile } from './env-file.js';
import { LocalKafka } from './kafka.js';
import { stateRoot as defaultStateRoot } from './paths.js';
import { waitForClickHouse, waitForKafka } from './readiness.js';

export type ServicesMode = 'local' | 'docker' | 'external';

export interface ServiceEndpoints {
  kafkaBrokers: string[];
  clickhouseUrl: string;
  mode: ServicesMode;
}

type Env = Record<string, string | undefined>;

const port = (value: string | undefined, fallback: number) => {
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`not a port: ${value}`);
  return n;
};

/** Where `services:up` keeps data, logs and its env file; TRACEHOUSE_STATE_DIR moves it (tests). */
export function statePaths(env: Env = process.env) {
  const root = env.TRACEHOUSE_STATE_DIR || defaultStateRoot;
  return {
    root,
    envFile: join(root, 'services.env'),
    kafkaDir: join(root, 'data', 'kafka'),
    clickhouseDir: join(root, 'data', 'clickhouse'),
  };
}

/** The local services as configured by env (ports) — the same objects for up, down and status. */
export function localServices(env: Env = process.env) {
  const paths = statePaths(env);
  return {
    kafka: new LocalKafka({
      dataDir: paths.kafkaDir,
      port: port(env.TRACEHOUSE_KAFKA_PORT, 19092),
      controllerPort: port(env.TRACEHOUSE_KAFKA_CONTROLLER_PORT, 19093),
    }),
    clickhouse: new LocalClickHouse({
      dataDir: paths.clickhouseDir,
      port: port(env.TRACEHOUSE_CLICKHOUSE_PORT, 18123),
    }),
  };
}

/** What `services:up` wrote, if anything. */
export function readServicesEnv(env: Env = process.env): Record<string, string> | undefined {
  return readEnvFile(statePaths(env).envFile);
}

/**
 * Brings Kafka and ClickHouse up and says where they run. Already configured (KAFKA_BROKERS +
 * CLICKHOUSE_URL) → only checked; a Docker daemon → docker compose; otherwise local processes.
 * Idempotent: running services are reused.
 */
export async function servicesUp({ env = process.env }: { env?: Env } = {}): Promise<ServiceEndpoints> {
  if (env.KAFKA_BROKERS && env.CLICKHOUSE_URL) {
    const kafkaBrokers = env.KAFKA_BROKERS.split(',').map((b) => b.trim());
    await Promise.all([waitForKafka(kafkaBrokers, 60_000), waitForClickHouse(env.CLICKHOUSE_URL, 60_000)]);
    return { kafkaBrokers, clickhouseUrl: env.CLICKHOUSE_URL, mode: 'external' };
  }
  const paths = statePaths(env);
  let endpoints: ServiceEndpoints;
  if (readServicesEnv(env)?.TRACEHOUSE_SERVICES_MODE !== 'local' && (await dockerAvailable())) {
    await composeUp(['kafka', 'clickhouse']);
    endpoints = {
      kafkaBrokers: ['127.0.0.1:19092'],
      clickhouseUrl: 'http://127.0.0.1:18123',
      mode: 'docker',
    };
    await Promise.all([
      waitForKafka(endpoints.kafkaBrokers, 120_000),
      waitForClickHouse(endpoints.clickhouseUrl, 120_000),
    ]);
  } else {
    const { kafka, clickhouse } = localServices(env);
    // Started side by side: the broker's JVM start and the engine's start overlap.
    await Promise.all([kafka.start(), clickhouse.start()]);
    endpoints = { kafkaBrokers: kafka.brokers, clickhouseUrl: clickhouse.url, mode: 'local' };
  }
  writeEnvFile(
    paths.envFile,
    {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      CLICKHOUSE_URL: endpoints.clickhouseUrl,
      TRACEHOUSE_SERVICES_MODE: endpoints.mode,
    },
    'written by `npm run services:up`; read by npm start, the tests and the benchmarks',
  );
  return endpoints;
}

/** Stops what `services:up` started and leaves no process behind. */
export async function servicesDown({ env = process.env }: { env?: Env } = {}): Promise<void> {
  const paths = statePaths(env);
  const written = readEnvFile(paths.envFile);
  if (written?.TRACEHOUSE_SERVICES_MODE === 'docker') await composeDown();
  const { kafka, clickhouse } = localServices(env);
  await Promise.all([kafka.stop(), clickhouse.stop()]);
  removeEnvFile(paths.envFile);
}

export interface ServiceStatus {
  name: 'kafka' | 'clickhouse';
  running: boolean;
  healthy: boolean;
  pid?: number;
  endpoint: string;
}

export async function servicesStatus({ env = process.env }: { env?: Env } = {}): Promise<ServiceStatus[]> {
  const written = readServicesEnv(env);
  if (written?.TRACEHOUSE_SERVICES_MODE === 'docker') {
    const brokers = (written.KAFKA_BROKERS ?? '').split(',');
    const url = written.CLICKHOUSE_URL ?? '';
    const ok = (p: Promise<void>) =>
      p.then(
        () => true,
        () => false,
      );
    const [k, c] = await Promise.all([ok(waitForKafka(brokers, 1)), ok(waitForClickHouse(url, 1))]);
    return [
      { name: 'kafka', running: k, healthy: k, endpoint: brokers.join(',') },
      { name: 'clickhouse', running: c, healthy: c, endpoint: url },
    ];
  }
  const { kafka, clickhouse } = localServices(env);
  const [kafkaHealthy, clickhouseHealthy] = await Promise.all([kafka.healthy(), clickhouse.healthy()]);
  return [
    {
      name: 'kafka',
      running: kafka.isRunning(),
      healthy: kafkaHealthy,
      pid: kafka.pid,
      endpoint: kafka.brokers.join(','),
    },
    {
      name: 'clickhouse',
      running: clickhouse.isRunning(),
      healthy: clickhouseHealthy,
      pid: clickhouse.pid,
      endpoint: clickhouse.url,
    },
  ];
}
