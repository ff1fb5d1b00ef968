import { randomUUID } from 'node:crypto';
import { dedicatedKafka } from '@tracehouse/test-support/dedicated';
import { Stack } from '@tracehouse/test-support/stack';
import { afterEach, describe, expect, it } from 'vitest';
import { type Acked, expectAckedOnce, httpClient, injectClient, pool } from '../write-path/helpers.js';

/** The faults the write-path suite does not cover: ingest SIGKILL under load, a Kafka broker restart. */
describe('faults: ingest killed, broker restarted', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('ingest killed with SIGKILL under load and restarted: every acknowledged span once, nothing never sent', async () => {
    stack = await Stack.create();
    await stack.startWriter();
    let ingest = await stack.spawn('ingest');
    let client = httpClient(ingest.url, stack.apiKey);
    const acked: Acked = new Set();
    const attempted = new Set<string>();
    let failed = 0;
    let restart: Promise<void> | undefined;
    await pool([...Array(3_000).keys()], 32, async (i) => {
      if (i === 1_000) {
        restart = (async () => {
          await ingest.kill('SIGKILL');
          ingest = await stack!.spawn('ingest');
          client = httpClient(ingest.url, stack!.apiKey);
        })();
      }
      if (i > 1_000) await restart;
      const id = randomUUID();
      attempted.add(id);
      try {
        const res = await client.request('POST', '/v2/spans', { id, name: `span-${i}`, input: { i } });
        if (res.status === 200) acked.add(res.body.id);
        else failed++;
      } catch {
        failed++; // the connection died with the process: never acknowledged
      }
    });
    expect(ingest.child.exitCode).toBeNull(); // the new one runs
    expect(acked.size).toBeGreaterThan(2_000);
    // Requests in flight at the kill may have reached Kafka without an answer: stored, never acknowledged.
    const stored = await expectAckedOnce(stack, acked, attempted);
    expect(stored - acked.size).toBeLessThanOrEqual(failed);
  });

  it('Kafka broker restarted while ingest goes on: 503s while it is down, every acknowledged span once', async () => {
    const kafka = await dedicatedKafka();
    try {
      stack = await Stack.create({
        kafkaBrokers: kafka.endpoint.split(','),
        env: { PRODUCE_TIMEOUT_MS: '3000' },
      });
      const api = injectClient((await stack.startIngest()).app, stack.apiKey);
      await stack.startWriter();
      const acked: Acked = new Set();
      const attempted = new Set<string>();
      const statuses = new Map<number, number>();
      const post = async (n: number) =>
        pool([...Array(n).keys()], 8, async (i) => {
          const id = randomUUID();
          attempted.add(id);
          const res = await api.request('POST', '/v2/spans', { id, name: `b-${i}` });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200) acked.add(res.body.id);
        });
      await post(500);
      await kafka.stop();
      await post(40); // refused with 503 (not acknowledged) while the broker is away
      expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
      await kafka.start();
      // Back: the producer reconnects; keep writing until it is accepted again.
      const deadline = Date.now() + 90_000;
      const before = acked.size;
      while (acked.size < before + 500 && Date.now() < deadline) await post(100);
      expect(acked.size).toBeGreaterThanOrEqual(before + 500);
      expect([...statuses.keys()].every((s) => s === 200 || s === 503)).toBe(true);
      // A send that timed out (503) may still land once the broker is back: stored, not acknowledged.
      await expectAckedOnce(stack, acked, attempted);
    } finally {
      await stack?.close();
      stack = undefined;
      await kafka.dispose();
    }
  });
});
