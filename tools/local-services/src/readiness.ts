import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import type { ClickHouseCredentials } from './credentials.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const READY_TOPIC = '__tracehouse_ready';

/**
 * Ready means a real round trip, not an open port: right after a fresh start the broker accepts
 * connections but answers "coordinator is loading" for a few seconds. So: create a topic, produce to
 * it with acks from all replicas, and ask the group coordinator for offsets.
 */
export async function kafkaRoundTrip(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'tracehouse-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer();
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(READY_TOPIC)) {
      await admin
        .createTopics({
          topics: [{ topic: READY_TOPIC, numPartitions: 1, replicationFactor: 1 }],
          waitForLeaders: true,
        })
        .catch((err: { type?: string }) => {
          if (err.type !== 'TOPIC_ALREADY_EXISTS') throw err;
        });
    }
    await producer.connect();
    await producer.send({ topic: READY_TOPIC, acks: -1, messages: [{ value: String(Date.now()) }] });
    await admin.fetchOffsets({ groupId: READY_TOPIC, topics: [READY_TOPIC] });
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

export async function waitForKafka(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await kafkaRoundTrip(brokers);
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Kafka at ${brokers.join(',')} not ready: ${(err as Error).message}`);
      await sleep(500);
    }
  }
}

/** Ready means a real query runs, with these credentials. */
export async function clickhouseRoundTrip(url: string, credentials?: ClickHouseCredentials): Promise<void> {
  // Silent: refused connections are expected while the engine starts.
  const client = createClient({
    url,
    username: credentials?.user ?? 'default',
    password: credentials?.password ?? '',
    request_timeout: 5_000,
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    const rs = await client.query({ query: 'SELECT 1 AS ok', format: 'JSONEachRow' });
    const [row] = await rs.json<{ ok: number }>();
    if (row?.ok !== 1) throw new Error('unexpected answer to SELECT 1');
  } finally {
    await client.close();
  }
}

/** Code 516: the server answers and refuses these credentials, which waiting will not change. */
export function isAuthenticationFailure(err: unknown): boolean {
  return err instanceof ClickHouseError && err.code === '516';
}

export async function waitForClickHouse(
  url: string,
  timeoutMs: number,
  credentials?: ClickHouseCredentials,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await clickhouseRoundTrip(url, credentials);
      return;
    } catch (err) {
      if (isAuthenticationFailure(err) || Date.now() > deadline)
        throw new Error(`ClickHouse at ${url} not ready: ${(err as Error).message}`);
      await sleep(250);
    }
  }
}

/** `/ping` answers (it needs no credentials on a server, nor on the stand-in). */
export async function waitForClickHousePing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`ClickHouse at ${url} does not answer /ping`);
    await sleep(250);
  }
}

/**
 * True when the ClickHouse at url lets these credentials in and refuses a wrong password. A
 * stand-in started before passwords existed accepts anything; a server started with another
 * config refuses ours: either way it is not the one services:up means to run.
 */
export async function enforcesCredentials(url: string, credentials: ClickHouseCredentials): Promise<boolean> {
  const ours = await clickhouseRoundTrip(url, credentials).then(
    () => true,
    () => false,
  );
  if (!ours) return false;
  return clickhouseRoundTrip(url, { user: credentials.user, password: `${credentials.password}-wrong` }).then(
    () => false,
    (err: unknown) => isAuthenticationFailure(err),
  );
}
