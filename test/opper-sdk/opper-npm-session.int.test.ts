import { randomUUID } from 'node:crypto';
import { uniqueName } from '@tracehouse/test-support/names';
import { Stack } from '@tracehouse/test-support/stack';
import { Opper } from 'opperai';
import { NotFoundError, OpperError, UnauthorizedError } from 'opperai/models/errors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * One whole tracing session through the official npm SDK (`opperai` 3.4.1), pointed at Tracehouse the
 * way its users do: `new Opper({ httpBearer, serverURL: '<url>/v2' })`. The SDK validates every response
 * with zod, so any shape, type or status the server gets wrong fails here as an SDK error. Every read
 * comes right after the write it checks, with no polling: the server promises read-your-writes.
 */
describe('official npm opperai 3.4.1 SDK against /v2', () => {
  let stack: Stack;
  let url: string;

  beforeAll(async () => {
    stack = await Stack.create();
    const ingest = await stack.startIngest();
    await stack.startWriter();
    url = `${await ingest.app.listen({ port: 0, host: '127.0.0.1' })}/v2`;
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await stack?.close();
  });

  it('runs a session: spans, metrics, traces, save_examples, dataset entries, feedback, delete', async () => {
    const opper = new Opper({ httpBearer: stack.apiKey, serverURL: url });
    // A space and an ampersand: the name filter must survive query-string encoding.
    const rootName = uniqueName('npm session & co');

    const root = await sdk('spans.create root', () =>
      opper.spans.create({
        name: rootName,
        type: 'agent',
        parentId: null, // sent as JSON null
        startTime: new Date('2025-03-01T10:00:00.123Z'),
        input: { question: 'What is Tracehouse?' },
        meta: { user: 'ann' },
      }),
    );
    expect(root).toMatchObject({ name: rootName, type: 'agent', meta: { user: 'ann' } });
    const traceId = root.traceId!;
    expect(traceId).toMatch(UUID);

    // Read right after the create: no retry, no wait.
    const got = await sdk('spans.get root right after create', () => opper.spans.get(root.id));
    expect(got).toMatchObject({
      id: root.id,
      name: rootName,
      traceId,
      type: 'agent',
      input: { question: 'What is Tracehouse?' },
      meta: { user: 'ann' },
      startTime: new Date('2025-03-01T10:00:00.123Z'),
    });
    expect(got.parentId ?? null).toBeNull();
    expect(got.feedback ?? null).toBeNull();

    // Children name only their parent; the server places them in the parent's trace.
    const child = await sdk('spans.create child', () =>
      opper.spans.create({
        name: 'retrieve',
        parentId: root.id,
        input: 'What is Tracehouse?',
        output: 'docs',
        startTime: new Date('2025-03-01T10:00:00.200Z'),
        endTime: new Date('2025-03-01T10:00:00.700Z'),
      }),
    );
    const grandchild = await sdk('spans.create grandchild', () =>
      opper.spans.create({
        name: 'rerank',
        parentId: child.id,
        input: 'docs',
        output: 'best doc',
        startTime: new Date('2025-03-01T10:00:00.300Z'),
        endTime: new Date('2025-03-01T10:00:00.600Z'),
      }),
    );
    expect(child).toMatchObject({ name: 'retrieve', parentId: root.id, traceId });
    expect(grandchild).toMatchObject({ name: 'rerank', parentId: child.id, traceId });
    expect(new Set([root.id, child.id, grandchild.id]).size).toBe(3);

    const meta = { user: 'ann', reviewed: true, round: 2 };
    const updated = await sdk('spans.update root', () =>
      opper.spans.update(root.id, {
        meta,
        output: 'A tracing backend',
        endTime: new Date('2025-03-01T10:00:01.500Z'),
      }),
    );
    expect(updated).toMatchObject({
      id: root.id,
      name: rootName,
      traceId,
      meta,
      output: 'A tracing backend',
    });
    const afterUpdate = await sdk('spans.get root after update', () => opper.spans.get(root.id));
    expect(afterUpdate).toMatchObject({
      id: root.id,
      meta,
      output: 'A tracing backend',
      input: { question: 'What is Tracehouse?' },
      endTime: new Date('2025-03-01T10:00:01.500Z'),
    });

    // Metrics on the child.
    const m1 = await sdk('spanMetrics.createMetric relevance', () =>
      opper.spanMetrics.createMetric(child.id, { dimension: 'relevance', value: 0.8, comment: 'ok' }),
    );
    const m2 = await sdk('spanMetrics.createMetric latency_ms', () =>
      opper.spanMetrics.createMetric(child.id, { dimension: 'latency_ms', value: 120 }),
    );
    expect(m1).toMatchObject({ spanId: child.id, dimension: 'relevance', value: 0.8, comment: 'ok' });
    expect(m2).toMatchObject({ spanId: child.id, dimension: 'latency_ms', value: 120 });
    expect(m1.createdAt).toBeInstanceOf(Date);
    expect(m1.id).not.toBe(m2.id);

    const listed = await sdk('spanMetrics.list (2)', () => opper.spanMetrics.list(child.id));
    expect(listed.meta.totalCount).toBe(2);
    expect(byKey(listed.data, 'dimension')).toMatchObject([
      { id: m2.id, spanId: child.id, dimension: 'latency_ms', value: 120 },
      { id: m1.id, spanId: child.id, dimension: 'relevance', value: 0.8, comment: 'ok' },
    ]);
    expect(await sdk('spanMetrics.get m1', () => opper.spanMetrics.get(child.id, m1.id))).toMatchObject({
      id: m1.id,
      spanId: child.id,
      dimension: 'relevance',
      value: 0.8,
      comment: 'ok',
    });
    expect(
      await sdk('spanMetrics.updateMetric m1', () =>
        opper.spanMetrics.updateMetric(child.id, m1.id, { value: 0.9, comment: 'rechecked' }),
      ),
    ).toMatchObject({
      id: m1.id,
      spanId: child.id,
      dimension: 'relevance',
      value: 0.9,
      comment: 'rechecked',
    });
    expect(
      await sdk('spanMetrics.delete m2', () => opper.spanMetrics.delete(child.id, m2.id)),
    ).toBeUndefined();
    const afterDelete = await sdk('spanMetrics.list after delete (1)', () =>
      opper.spanMetrics.list(child.id),
    );
    expect(afterDelete.meta.totalCount).toBe(1);
    expect(afterDelete.data).toMatchObject([{ id: m1.id, value: 0.9, comment: 'rechecked' }]);
    await expect(opper.spanMetrics.get(child.id, m2.id)).rejects.toBeInstanceOf(NotFoundError);

    // Traces.
    const all = await sdk('traces.list', () => opper.traces.list());
    expect(all.data.map((t) => t.id)).toContain(traceId);
    expect(all.meta.totalCount).toBeGreaterThanOrEqual(1);
    const byName = await sdk('traces.list(name)', () => opper.traces.list(rootName));
    expect(byName.meta.totalCount).toBe(1);
    expect(byName.data).toHaveLength(1);
    const summary = byName.data[0]!;
    expect(summary).toMatchObject({ id: traceId, name: rootName, output: 'A tracing backend' });
    expect(JSON.parse(summary.input!)).toEqual({ question: 'What is Tracehouse?' });
    expect(summary.startTime).toEqual(new Date('2025-03-01T10:00:00.123Z'));
    expect(summary.durationMs).toBe(1377);

    const trace = await sdk('traces.get', () => opper.traces.get(traceId));
    expect(trace).toMatchObject({ id: traceId, name: rootName });
    const spans = byKey(trace.spans ?? [], 'name');
    expect(spans.map((s) => [s.name, s.id, s.parentId ?? null])).toEqual([
      [rootName, root.id, null],
      ['rerank', grandchild.id, child.id],
      ['retrieve', child.id, root.id],
    ]);
    const retrieve = spans[2]!;
    expect(retrieve.data).toMatchObject({ input: 'What is Tracehouse?', output: 'docs' });
    expect(retrieve.durationMs).toBe(500);
    expect(retrieve.metrics).toMatchObject([
      { id: m1.id, dimension: 'relevance', value: 0.9, comment: 'rechecked' },
    ]);
    expect(spans[0]!.metrics ?? []).toEqual([]);

    // The child as a dataset example, then the entry read back.
    const saved = await sdk('spans.saveExamples child', () => opper.spans.saveExamples(child.id));
    expect(saved).toMatchObject({ input: 'What is Tracehouse?', output: 'docs' });
    expect(saved.expected ?? null).toBeNull();
    const entries = await sdk('datasets.listEntries', () => opper.datasets.listEntries(saved.datasetId));
    expect(entries.meta.totalCount).toBe(1);
    expect(entries.data).toMatchObject([
      { id: saved.datasetEntryId, input: 'What is Tracehouse?', output: 'docs' },
    ]);
    const entry = await sdk('datasets.getEntry', () =>
      opper.datasets.getEntry(saved.datasetId, saved.datasetEntryId),
    );
    expect(entry).toMatchObject({ id: saved.datasetEntryId, input: 'What is Tracehouse?', output: 'docs' });
    expect(entry.expected ?? null).toBeNull();

    // Feedback, then seen on the span.
    expect(
      await sdk('spans.submitFeedback child', () =>
        opper.spans.submitFeedback(child.id, { score: 1, comment: 'great' }),
      ),
    ).toEqual({ spanId: child.id, score: 1, comment: 'great', exampleSaved: false });
    const rated = await sdk('spans.get child feedback', () => opper.spans.get(child.id));
    expect(rated.feedback).toEqual({ score: 1, comment: 'great' });

    // Another project sees none of it and can change none of it.
    const other = new Opper({ httpBearer: (await stack.otherProjectKey()).key, serverURL: url });
    for (const [name, call] of [
      ['spans.get', () => other.spans.get(root.id)],
      ['spans.update', () => other.spans.update(root.id, { meta: { x: 1 } })],
      ['spanMetrics.get', () => other.spanMetrics.get(child.id, m1.id)],
      ['spanMetrics.list', () => other.spanMetrics.list(child.id)],
      ['traces.get', () => other.traces.get(traceId)],
      ['datasets.getEntry', () => other.datasets.getEntry(saved.datasetId, saved.datasetEntryId)],
      ['datasets.listEntries', () => other.datasets.listEntries(saved.datasetId)],
      ['spans.delete', () => other.spans.delete(root.id)],
    ] as const) {
      expect(await errorOf(call), name).toEqual({ class: 'NotFoundError', status: 404 });
    }
    expect((await sdk('other traces.list(name)', () => other.traces.list(rootName))).meta.totalCount).toBe(0);
    expect(await sdk('spans.get root after the other delete', () => opper.spans.get(root.id))).toMatchObject({
      id: root.id,
      meta,
    });

    // Delete, then the span is gone.
    expect(await sdk('spans.delete grandchild', () => opper.spans.delete(grandchild.id))).toBeUndefined();
    expect(await errorOf(() => opper.spans.get(grandchild.id))).toEqual({
      class: 'NotFoundError',
      status: 404,
    });
  });

  it('answers unknown ids with 404 and malformed ids or limits with 422, as SDK-typed errors', async () => {
    const opper = new Opper({ httpBearer: stack.apiKey, serverURL: url });
    const span = await sdk('spans.create', () => opper.spans.create({ name: 'known' }));
    const unknown = randomUUID();
    for (const [name, call] of [
      ['spans.get', () => opper.spans.get(unknown)],
      ['spans.update', () => opper.spans.update(unknown, {})],
      ['spans.saveExamples', () => opper.spans.saveExamples(unknown)],
      ['spans.submitFeedback', () => opper.spans.submitFeedback(unknown, { score: 1 })],
      [
        'spanMetrics.createMetric',
        () => opper.spanMetrics.createMetric(unknown, { dimension: 'd', value: 1 }),
      ],
      ['spanMetrics.get', () => opper.spanMetrics.get(span.id, unknown)],
      ['traces.get', () => opper.traces.get(unknown)],
      ['datasets.getEntry', () => opper.datasets.getEntry(unknown, unknown)],
    ] as const) {
      expect(await errorOf(call), name).toEqual({ class: 'NotFoundError', status: 404 });
    }
    for (const [name, call] of [
      ['spans.get malformed id', () => opper.spans.get('not-a-uuid')],
      ['traces.get malformed id', () => opper.traces.get('not-a-uuid')],
      ['traces.list limit=0', () => opper.traces.list(undefined, 0, 0)],
      ['traces.list limit=101', () => opper.traces.list(undefined, 0, 101)],
      ['spanMetrics.list offset=-1', () => opper.spanMetrics.list(span.id, -1, 10)],
    ] as const) {
      expect(await errorOf(call), name).toEqual({ class: 'RequestValidationError', status: 422 });
    }
  });

  it('answers 401 (UnauthorizedError) to a missing or unknown key', async () => {
    const span = await new Opper({ httpBearer: stack.apiKey, serverURL: url }).spans.create({
      name: 'private',
    });
    // Built without a key (and none in OPPER_HTTP_BEARER), the SDK sends no Authorization header.
    vi.stubEnv('OPPER_HTTP_BEARER', undefined);
    const anonymous = new Opper({ serverURL: url });
    const bogus = new Opper({ httpBearer: 'th_not_a_real_key', serverURL: url });
    for (const client of [anonymous, bogus]) {
      for (const call of [
        () => client.spans.create({ name: 'nope' }),
        () => client.spans.get(span.id),
        () => client.traces.list(),
        () => client.spanMetrics.list(span.id),
      ]) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(UnauthorizedError);
        expect((err as UnauthorizedError).statusCode).toBe(401);
      }
    }
  });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs one SDK call; an SDK error fails the test with the step, the request URL and the server's answer. */
async function sdk<T>(step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new Error(`${step}: ${describeError(err)}`, { cause: err });
  }
}

async function errorOf(
  call: () => Promise<unknown>,
): Promise<{ class: string | null; status: number | null }> {
  try {
    await call();
    return { class: null, status: null };
  } catch (err) {
    if (err instanceof OpperError) return { class: err.name, status: err.statusCode };
    throw err;
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof OpperError)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message.slice(0, 1500)})` : '';
  return `${err.name} ${err.statusCode} ${err.rawResponse.url} → ${err.contentType} ${err.body.slice(0, 1500)}${cause}`;
}

function byKey<T, K extends keyof T>(items: readonly T[], key: K): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
