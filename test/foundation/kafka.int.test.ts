import {
  createKafka,
  ensureTopics,
  KeptRunning,
  restartedByCaller,
  toKafkaAppError,
} from '@tracehouse/shared/node';
import { testKafka, testLogger } from '@tracehouse/test-support/clients';
import { dedicatedKafka } from '@tracehouse/test-support/dedicated';
import { uniqueName } from '@tracehouse/test-support/names';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';

const TOTAL = 10_000;

/** Sends `ids` as messages in batches of 1,000 with the idempotent producer, acks from all replicas. */
async function produceAll(producer: Producer, topic: string, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1_000) {
    await producer.send({
      topic,
      acks: -1,
      messages: ids.slice(i, i + 1_000).map((id) => ({ key: `k${id % 97}`, value: JSON.stringify({ id }) })),
    });
  }
}

/** Connects and subscribes to `topic` from the beginning. */
async function subscribed(consumer: Consumer, topic: string): Promise<Consumer> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  return consumer;
}

/**
 * Consumes with manual commits (offsets committed only after a batch is processed) until `until`
 * holds, through KeptRunning as the services do. Returns the ids seen (duplicates kept, so the caller can
 * assert there are none).
 */
async function consumeUntil(
  consumer: Consumer,
  until: (seen: number[]) => boolean,
  { timeoutMs = 120_000, onCrash }: { timeoutMs?: number; onCrash?: (err: Error) => void } = {},
): Promise<number[]> {
  const seen: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const kept = await KeptRunning.start(
    consumer,
    {
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        for (const message of batch.messages) seen.push(JSON.parse(String(message.value)).id);
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        await heartbeat();
        if (until(seen)) done();
      },
    },
    { logger: testLogger, minDelayMs: 200, maxDelayMs: 2_000, ...(onCrash ? { onCrash } : {}) },
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`consumed ${seen.length} before the timeout`)), timeoutMs);
  });
  try {
    await Promise.race([finished, timeout]);
  } finally {
    clearTimeout(timer);
    await kept.stop();
  }
  return seen;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('Kafka (real broker) through kafkajs', () => {
  const kafka: Kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueName('th_ground');

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it('creates a topic, and 10,000 messages from the idempotent producer all come back to a consumer group', async () => {
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
    await ensureTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }]); // idempotent
    expect(await admin.listTopics()).toContain(topic);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    await produceAll(producer, topic, range(0, TOTAL));

    const group = uniqueName('th_group');
    const consumer = kafka.consumer(restartedByCaller({ groupId: group }));
    const seen = await consumeUntil(await subscribed(consumer, topic), (s) => new Set(s).size >= TOTAL);
    await consumer.disconnect();
    expect(seen.length).toBe(TOTAL);
    expect(new Set(seen)).toEqual(new Set(range(0, TOTAL)));

    // Committed offsets hold: the same group, reconnected, sees only what is produced afterwards.
    await produceAll(producer, topic, [TOTAL]);
    const again = kafka.consumer(restartedByCaller({ groupId: group }));
    const rest = await consumeUntil(await subscribed(again, topic), (s) => s.length >= 1);
    await again.disconnect();
    await producer.disconnect();
    expect(rest).toEqual([TOTAL]);
  });

  it('deletes topics through the admin client', async () => {
    const scratch = uniqueName('th_scratch');
    await ensureTopics(admin, [{ topic: scratch, numPartitions: 1, replicationFactor: 1 }]);
    await admin.deleteTopics({ topics: [scratch], timeout: 10_000 });
    expect(await admin.listTopics()).not.toContain(scratch);
  });

  it('surfaces an unreachable broker as a retryable TH_KAFKA_UNAVAILABLE', async () => {
    const nowhere = createKafka({
      brokers: ['127.0.0.1:1'],
      clientId: 'nowhere',
      logger: testLogger,
      retry: { retries: 1, initialRetryTime: 50 },
    });
    const producer = nowhere.producer();
    const err = await producer.connect().then(
      () => undefined,
      (e: unknown) => toKafkaAppError(e, 'connecting'),
    );
    expect(err?.code).toBe('TH_KAFKA_UNAVAILABLE');
    expect(err?.retryable).toBe(true);
  });
});

describe('Kafka across a broker restart', () => {
  // kafkajs leaves a consumer whose join fails with KafkaJSGroupCoordinatorNotFound (a restarted broker
  // loading its coordinator) stopped for good; this test hung so in 2 of 12 runs on a loaded machine.
  // Here the join fails for certain, the broker being down, and KeptRunning must bring it back.
  it('a consumer that crashed joining while the broker was down reads every message once it is back', async () => {
    const broker = await dedicatedKafka();
    try {
      const brokers = broker.endpoint.split(',');
      const kafka = createKafka({ brokers, clientId: 'restart-test', logger: testLogger });
      const admin = kafka.admin();
      await admin.connect();
      const topic = uniqueName('th_restart');
      await ensureTopics(admin, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
      await admin.disconnect();

      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await produceAll(producer, topic, range(0, TOTAL / 2));

      // Few retries, so the join gives up and crashes while the broker is down.
      const impatient = createKafka({
        brokers,
        clientId: 'restart-test-consumer',
        logger: testLogger,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
      });
      const consumer = impatient.consumer(restartedByCaller({ groupId: uniqueName('th_restart_group') }));
      await subscribed(consumer, topic);
      await broker.stop();
      const crashes: string[] = [];
      let firstCrash!: () => void;
      const crashed = new Promise<void>((resolve) => {
        firstCrash = resolve;
      });
      const onCrash = (err: Error) => {
        crashes.push(err.name);
        firstCrash();
      };
      const consumed = consumeUntil(consumer, (s) => new Set(s).size >= TOTAL, { onCrash });
      await crashed;
      await broker.start();
      await produceAll(producer, topic, range(TOTAL / 2, TOTAL));

      const seen = await consumed;
      await consumer.disconnect();
      await producer.disconnect();
      expect(crashes.length).toBeGreaterThan(0);
      // At-least-once across the restart: every message arrives; a redelivery is possible only for a
      // batch whose commit the restart interrupted, so count unique ids.
      expect(new Set(seen)).toEqual(new Set(range(0, TOTAL)));
    } finally {
      await broker.dispose();
    }
  });
});
