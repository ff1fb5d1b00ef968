import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '@tracehouse/shared/node';
import { createKafka } from '@tracehouse/shared/node';
import { Partitioners } from 'kafkajs';
import { makeTrace, type ProfileName, rng } from './profiles.js';

/** Span rows as the writer inserts them, from the same generator as the load. */
function spanRows(profile: ProfileName, projectId: string, count: number): Record<string, unknown>[] {
  const random = rng(7);
  const rows: Record<string, unknown>[] = [];
  const ch = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
  while (rows.length < count) {
    for (const item of makeTrace(profile, random, Date.now()).items as {
      type: string;
      body: Record<string, never>;
    }[]) {
      if (item.type !== 'span.create') continue;
      const b = item.body as Record<string, unknown>;
      rows.push({
        project_id: projectId,
        trace_id: b.trace_id,
        span_id: b.id,
        parent_id: b.parent_id ?? null,
        name: b.name,
        type: b.type,
        start_time: ch(b.start_time as string),
        end_time: ch(b.end_time as string),
        status: 'ok',
        error: null,
        input: JSON.stringify(b.input),
        output: JSON.stringify(b.output),
        meta: { step: '1', prompt_version: '3' },
        tags: b.tags,
        model: '',
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        cost: null,
        score: null,
        feedback_score: null,
        feedback_comment: null,
        received_at: ch(new Date().toISOString()),
        version: Date.now() * 1000,
        deleted: 0,
      });
    }
  }
  return rows.slice(0, count);
}

/**
 * Raw ClickHouse insert throughput through @clickhouse/client: the writer's batch size (10,000 rows,
 * JSONEachRow) into a copy of `spans`, for `seconds`. Rows are made before timing starts.
 */
export async function clickhouseBaseline(
  clickhouse: ClickHouseClient,
  profile: ProfileName,
  projectId: string,
  seconds: number,
): Promise<{ rowsPerSecond: number; rows: number; bytesPerRow: number }> {
  await clickhouse.command({ query: 'CREATE TABLE IF NOT EXISTS spans_baseline AS spans_v2' });
  const batch = spanRows(profile, projectId, 10_000);
  const bytesPerRow = Math.round(JSON.stringify(batch).length / batch.length);
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let rows = 0;
  while (Date.now() < deadline) {
    // New ids per batch, so nothing is deduplicated away.
    for (const row of batch) row.span_id = randomUUID();
    await clickhouse.insert({ table: 'spans_baseline', values: batch, format: 'JSONEachRow' });
    rows += batch.length;
  }
  await clickhouse.command({ query: 'DROP TABLE IF EXISTS spans_baseline' });
  return { rowsPerSecond: Math.round(rows / ((Date.now() - started) / 1000)), rows, bytesPerRow };
}

/**
 * Raw kafkajs produce throughput with the best settings found: idempotent, acks=all (as ingest), batches
 * of 1,000 messages, 4 sends in flight, messages the size of the run's span events.
 */
export async function kafkaBaseline(
  brokers: string[],
  topic: string,
  profile: ProfileName,
  seconds: number,
  logger: Logger,
): Promise<{ messagesPerSecond: number; messages: number; inFlight: number }> {
  const kafka = createKafka({ brokers, clientId: 'bench-baseline', logger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const random = rng(9);
  const messages: { key: string; value: string }[] = [];
  while (messages.length < 1_000) {
    for (const item of makeTrace(profile, random, Date.now()).items as { body: { trace_id?: string } }[]) {
      messages.push({ key: item.body.trace_id ?? randomUUID(), value: JSON.stringify(item) });
    }
  }
  // Batches under Kafka's default 1 MB per partition batch: 1,000 small messages, or 100 realistic ones.
  const batch = messages.slice(0, profile === 'small' ? 1_000 : 100);
  const inFlight = 4;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < deadline) {
        await producer.send({ topic, acks: -1, messages: batch });
        sent += batch.length;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  return { messagesPerSecond: Math.round(sent / elapsed), messages: sent, inFlight };
}
