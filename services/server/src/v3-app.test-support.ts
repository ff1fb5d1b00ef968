import type { ReadSide } from '@tracehouse/api';
import type { WriteService } from '@tracehouse/ingest';
import type { SpanView, TraceDetail } from '@tracehouse/shared';
import { createLogger, HealthRegistry } from '@tracehouse/shared/node';
import { buildServerApp } from './app.js';
import { handlerReached } from './stub-app.test-support.js';

/** The app with every route, over fake services, for the `/v3` route tests. */

export const project = 'c0ffee00-0000-4000-8000-000000000001';
const key = 'th_v3-route-test-key';
export const auth = { authorization: `Bearer ${key}` };
export const spanId = '0b7e2d1c-4a8f-4c1e-9f3a-2d6b8e0c5a71';
export const traceId = '5f0c8a2e-1b3d-4e6f-8a9b-0c1d2e3f4a5b';

export const span: SpanView = {
  id: spanId,
  name: 'root',
  trace_id: traceId,
  parent_id: null,
  type: 'agent',
  start_time: '2025-03-01T10:00:00.123456Z',
  end_time: '2025-03-01T10:00:01.5Z',
  input: 'question',
  output: 'answer',
  error: null,
  meta: { user: 'ann' },
  score: null,
  feedback: null,
  tags: { env: 'test' },
  status: 'ok',
  duration_ms: 1376.544,
  model: null,
  usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  cost: null,
};

const trace: TraceDetail = {
  id: traceId,
  name: 'root',
  start_time: span.start_time,
  end_time: span.end_time,
  duration_ms: 1377,
  status: 'ok',
  input: 'question',
  output: 'answer',
  total_tokens: 0,
  root_span_id: spanId,
  span_count: 1,
  error_count: 0,
  total_cost: 0,
  tags: { env: 'test' },
  spans: [],
};

export type Calls = { method: string; args: unknown[] }[];

/**
 * Write and read services that answer like the real ones for the calls the v3 routes make (and record
 * them): these tests are about the routes' HTTP contract; the integration test runs the real ones.
 */
function fakes(calls: Calls, fail?: () => never) {
  const record =
    (method: string, answer: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      if (fail) fail();
      return answer(...args);
    };
  const writes = {
    planCreateSpan: record('planCreateSpan', (_p, body) => ({
      result: { ...span, ...(body as object), id: spanId, trace_id: traceId, parent_id: null },
    })),
    planUpdateSpan: record('planUpdateSpan', () => ({ result: span })),
    planDeleteSpan: record('planDeleteSpan', () => ({ result: undefined })),
    planDeleteTrace: (...args: unknown[]) => {
      calls.push({ method: 'planDeleteTrace', args });
      return { records: [], entries: [], result: undefined };
    },
    commit: record('commit', () => undefined),
    run: async (plan: Promise<{ result: unknown }>) => (await plan).result,
  } as unknown as WriteService;
  const reads = {
    getSpan: record('getSpan', () => span),
    listTraces: record('listTraces', () => ({ meta: { total_count: 1 }, data: [trace] })),
    getTraceWithSpans: record('getTraceWithSpans', () => ({ trace, spans: [span] })),
  } as unknown as ReadSide['reads'];
  return { writes, reads };
}

export async function build(options: { calls?: Calls; fail?: () => never; rateLimitMax?: number } = {}) {
  const { writes, reads } = fakes(options.calls ?? [], options.fail);
  return buildServerApp({
    logger: createLogger({ name: 'test', level: 'silent' }),
    health: new HealthRegistry(),
    auth: { keys: { projectOf: async (k) => (k === key ? project : undefined) } },
    rateLimit: { max: options.rateLimitMax ?? 0, windowMs: 60_000 },
    writes: {
      writes,
      spanAfterWrite: async () => undefined,
      traceSpanIds: async () => [spanId, '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'],
      maxBatchItems: 10,
    },
    reads: {
      reads,
      search: handlerReached('search') as ReadSide['search'],
      clickhouse: handlerReached('clickhouse') as ReadSide['clickhouse'],
      analytics: () => {
        throw new Error('analytics called');
      },
      datasetEntries: () => {
        throw new Error('datasetEntries called');
      },
    },
  });
}

/** Exactly the v3 error body, with the code given. */
