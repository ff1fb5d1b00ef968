import type { Stack } from '@tracehouse/test-support/stack';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

/** A parsed JSON response body; tests read fields from it freely. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
export type Json = any;

/** A client for one ingest: in-process through `inject`, or over HTTP to a spawned process. */
export interface IngestClient {
  request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }>;
}

export function injectClient(app: FastifyInstance, apiKey: string): IngestClient {
  return {
    async request(method, path, body) {
      const res = await app.inject({
        method,
        url: path,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
  };
}

export function httpClient(baseUrl: string, apiKey: string): IngestClient {
  return {
    async request(method, path, body) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function pool<T>(
  items: T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}

/** Posts one trace: span i's parent is span floor((i-1)/3), each child naming only `parent_id`. */
export async function postTrace(
  clients: IngestClient[],
  t: number,
  spans: number,
): Promise<{ id: string; traceId: string; parentId: string | null }[]> {
  const posted: { id: string; traceId: string; parentId: string | null }[] = [];
  for (let i = 0; i < spans; i++) {
    const parent = i === 0 ? null : posted[Math.floor((i - 1) / 3)]!;
    const client = clients[(t + i) % clients.length]!;
    const res = await client.request('POST', '/v2/spans', {
      name: i === 0 ? `trace-${t}` : `step-${i}`,
      ...(parent ? { parent_id: parent.id } : {}),
      input: { t, i },
      tags: { environment: t % 2 ? 'production' : 'staging', trace_no: String(t) },
    });
    if (res.status !== 200) throw new Error(`POST /v2/spans → ${res.status} ${JSON.stringify(res.body)}`);
    posted.push({ id: res.body.id, traceId: res.body.trace_id, parentId: parent?.id ?? null });
  }
  return posted;
}

/** Span ids the API acknowledged (200), whatever happened around them. */
export type Acked = Set<string>;

/** Every acknowledged span is stored exactly once, and nothing else is. */
export async function expectExactly(stack: Stack, acked: Acked) {
  const counts = await stack.eventually(
    () => stack.spanCounts(),
    (c) => c.unique >= acked.size,
    120_000,
  );
  expect(counts).toEqual({ rows: acked.size, unique: acked.size });
  // And they are the acknowledged ones, not others.
  const rs = await stack.clickhouse.query({
    query: `SELECT toString(span_id) AS id FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND name != ''`,
    query_params: { p: stack.projectId },
    format: 'JSONEachRow',
  });
  const stored = new Set((await rs.json<{ id: string }>()).map((r) => r.id));
  expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
}

/**
 * Where requests can die unanswered (SIGKILL, produce timeouts): every acknowledged span is stored,
 * nothing is stored twice, and nothing is stored that was never sent. Returns how many are stored.
 */
export async function expectAckedOnce(stack: Stack, acked: Acked, attempted: Set<string>): Promise<number> {
  const counts = await stack.eventually(
    () => stack.spanCounts(),
    (c) => c.unique >= acked.size,
    120_000,
  );
  expect(counts.rows).toBe(counts.unique);
  const rs = await stack.clickhouse.query({
    query: `SELECT toString(span_id) AS id FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND name != ''`,
    query_params: { p: stack.projectId },
    format: 'JSONEachRow',
  });
  const stored = new Set((await rs.json<{ id: string }>()).map((r) => r.id));
  expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
  expect([...stored].filter((id) => !attempted.has(id))).toEqual([]);
  return stored.size;
}
