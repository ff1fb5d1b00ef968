import { topicNames } from '@tracehouse/shared';
import { testKafka } from '@tracehouse/test-support/clients';
import { dedicatedClickHouse } from '@tracehouse/test-support/dedicated';
import { Stack } from '@tracehouse/test-support/stack';
import { afterEach, describe, expect, it } from 'vitest';
import { type Acked, expectExactly, httpClient, injectClient, pool, postTrace } from './helpers.js';

/** Records a topic holds (sum of its partitions' end offsets). */
async function recordsOn(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The writer's `tracehouse_writer_buffered_messages` gauge, from its /metrics. */
async function bufferedMessages(writerUrl: string): Promise<number> {
  const text = await (await fetch(`${writerUrl}/metrics`)).text();
  return Number(/^tracehouse_writer_buffered_messages (\d+)$/m.exec(text)?.[1] ?? -1);
}

describe('write path under faults', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('a writer killed with SIGKILL mid-stream and restarted loses and duplicates nothing', async () => {
    stack = await Stack.create({ env: { BATCH_MAX_ROWS: '500', BATCH_MAX_DELAY_MS: '200' } });
    const ingest = injectClient((await stack.startIngest()).app, stack.apiKey);
    let writer = await stack.spawn('writer');
    const acked: Acked = new Set();
    let killed = false;
    await pool([...Array(200).keys()], 20, async (t) => {
      for (const span of await postTrace([ingest], t, 15)) acked.add(span.id);
      if (!killed && acked.size >= 1_000) {
        killed = true;
        await writer.kill('SIGKILL');
        writer = await stack!.spawn('writer');
      }
    });
    expect(killed).toBe(true);
    expect(acked.size).toBe(3_000);
    await expectExactly(stack, acked);
  });

  it('a writer stopped with SIGTERM writes and commits what it consumed, then exits 0', async () => {
    // Batches that never fill or expire by themselves: only the shutdown can write them.
    stack = await Stack.create({ env: { BATCH_MAX_DELAY_MS: '60000', BATCH_MAX_ROWS: '100000' } });
    const ingest = injectClient((await stack.startIngest()).app, stack.apiKey);
    const writer = await stack.spawn('writer');
    const acked: Acked = new Set();
    await pool([...Array(20).keys()], 5, async (t) => {
      for (const span of await postTrace([ingest], t, 10)) acked.add(span.id);
    });
    // Every record of the topic (fresh for this stack) is consumed into the writer's batch, unwritten.
    const records = await recordsOn(topicNames(stack.env.TOPIC_PREFIX).spans);
    const buffered = await stack.eventually(
      () => bufferedMessages(writer.url),
      (n) => n === records,
    );
    expect(buffered).toBe(records);
    expect((await stack.spanCounts()).rows).toBe(0);
    await writer.kill('SIGTERM');
    expect(writer.child.exitCode).toBe(0);
    expect(await stack.spanCounts()).toEqual({ rows: acked.size, unique: acked.size });

    // Its offsets were committed: the group has nothing left to read.
    const admin = testKafka().admin();
    await admin.connect();
    const topic = topicNames(stack.env.TOPIC_PREFIX).spans;
    const [committed] = await admin.fetchOffsets({ groupId: stack.env.WRITER_GROUP_ID!, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const byPartition = new Map(ends.map((e) => [e.partition, e.high]));
    // A partition no trace landed on has nothing to commit (-1), which reads from 0 like its end.
    for (const p of committed!.partitions)
      expect(p.offset === '-1' ? '0' : p.offset).toBe(byPartition.get(p.partition));
  });

  it('ClickHouse stopped for 30 s while ingest goes on: every span arrives once it is back', async () => {
    const engine = await dedicatedClickHouse();
    try {
      stack = await Stack.create({
        clickhouseUrl: engine.endpoint,
        clickhousePassword: engine.password,
        env: { RETRY_MAX_MS: '2000' },
      });
      const ingest = injectClient((await stack.startIngest()).app, stack.apiKey);
      await stack.startWriter();
      const acked: Acked = new Set();
      const post = async (from: number, to: number) =>
        pool(
          [...Array(to - from).keys()].map((i) => from + i),
          10,
          async (t) => {
            for (const span of await postTrace([ingest], t, 10)) acked.add(span.id);
          },
        );

      await post(0, 50);
      await engine.stop();
      const downSince = Date.now();
      // Keep ingesting while the engine is down: Kafka holds it, the writer waits.
      while (Date.now() - downSince < 30_000) await post(acked.size / 10, acked.size / 10 + 10);
      const ackedWhileDown = acked.size - 500;
      expect(ackedWhileDown).toBeGreaterThan(0);
      await engine.start();
      await expectExactly(stack, acked);
    } finally {
      await stack?.close();
      stack = undefined;
      await engine.dispose();
    }
  });

  it('SIGTERM of ingest while requests are in flight: every acknowledged span arrives', async () => {
    stack = await Stack.create();
    await stack.startWriter();
    const ingest = await stack.spawn('ingest');
    const client = httpClient(ingest.url, stack.apiKey);
    const acked: Acked = new Set();
    let failed = 0;
    let stopping: Promise<void> | undefined;
    await pool([...Array(4_000).keys()], 32, async (i) => {
      if (i === 1_500) stopping = ingest.kill('SIGTERM');
      try {
        const res = await client.request('POST', '/v2/spans', { name: `span-${i}`, input: { i } });
        if (res.status === 200) acked.add(res.body.id);
        else failed++;
      } catch {
        failed++; // connection refused after the process exited: not acknowledged
      }
    });
    await stopping;
    expect(ingest.child.exitCode).toBe(0);
    expect(acked.size).toBeGreaterThanOrEqual(1_000);
    expect(failed).toBeGreaterThan(0);
    await expectExactly(stack, acked);
  });
});
