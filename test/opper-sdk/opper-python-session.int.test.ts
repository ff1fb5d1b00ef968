import { join } from 'node:path';
import { createApiKey, ensureProject } from '@tracehouse/shared/node';
import { uniqueName } from '@tracehouse/test-support/names';
import { opperPython } from '@tracehouse/test-support/python-opper';
import { runPythonJson } from '@tracehouse/test-support/python-venv';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'python_session.py');

/**
 * The same session as the npm test, driven by the official PyPI SDK (`opperai` 1.7.2) in a child
 * process: `Opper(KEY, server_url='<url>/v2')`. The script prints what it read back as one JSON object
 * and exits non-zero (with the failing step, request and response on stderr) on any SDK error.
 * Reads follow their writes at once, without polling (the server promises read-your-writes).
 */
describe('official PyPI opperai 1.7.2 SDK against /v2', () => {
  let stack: Stack;
  let python: string;
  let url: string;
  let localUrl: string;
  let localProject: string;

  beforeAll(async () => {
    [stack, python] = await Promise.all([Stack.create(), opperPython()]);
    localProject = uniqueName('local');
    const ingest = await stack.startIngest();
    // A second ingest in single-project local mode: requests without a key belong to `localProject`.
    const local = await stack.startIngest({ LOCAL_PROJECT: localProject });
    await stack.startWriter();
    url = `${await ingest.app.listen({ port: 0, host: '127.0.0.1' })}/v2`;
    localUrl = `${await local.app.listen({ port: 0, host: '127.0.0.1' })}/v2`;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('runs a session: spans, metrics, traces, save_examples, dataset entries, feedback, delete', async () => {
    // A space and an ampersand: Python encodes the name filter as `py+session+%26+co`.
    const rootName = uniqueName('py session & co');
    const other = await stack.otherProjectKey();
    const r = await runSession({
      OPPER_URL: url,
      OPPER_KEY: stack.apiKey,
      OTHER_KEY: other.key,
      ROOT_NAME: rootName,
    });

    const traceId = r.root.trace_id;
    expect(traceId).toMatch(UUID);
    expect(r.root).toMatchObject({ name: rootName, type: 'agent', meta: { user: 'ann' } });
    // Read right after the create; the naive start_time was taken as UTC, microseconds kept.
    expect(r.got).toMatchObject({
      id: r.root.id,
      name: rootName,
      trace_id: traceId,
      parent_id: null,
      type: 'agent',
      input: { question: 'What is Tracehouse?' },
      meta: { user: 'ann' },
      start_time: '2025-03-01T10:00:00.123456+00:00',
      feedback: null,
    });
    expect(r.child).toMatchObject({ name: 'retrieve', parent_id: r.root.id, trace_id: traceId });
    expect(r.grandchild).toMatchObject({ name: 'rerank', parent_id: r.child.id, trace_id: traceId });

    const meta = { user: 'ann', reviewed: true, round: 2 };
    expect(r.updated).toMatchObject({ id: r.root.id, name: rootName, trace_id: traceId, meta });
    expect(r.got_after_update).toMatchObject({
      id: r.root.id,
      meta,
      output: 'A tracing backend',
      input: { question: 'What is Tracehouse?' },
      end_time: '2025-03-01T10:00:01.500000+00:00',
    });

    const m1 = { id: r.m1.id, span_id: r.child.id, dimension: 'relevance', created_at_has_zone: true };
    const m2 = { id: r.m2.id, span_id: r.child.id, dimension: 'latency_ms', created_at_has_zone: true };
    expect(r.m1).toEqual({ ...m1, value: 0.8, comment: 'ok' });
    expect(r.m2).toEqual({ ...m2, value: 120, comment: null });
    expect(r.metrics_listed).toEqual({
      total_count: 2,
      data: [
        { ...m2, value: 120, comment: null },
        { ...m1, value: 0.8, comment: 'ok' },
      ],
    });
    expect(r.m1_got).toEqual({ ...m1, value: 0.8, comment: 'ok' });
    expect(r.m1_updated).toEqual({ ...m1, value: 0.9, comment: 'rechecked' });
    expect(r.m2_deleted).toBeNull();
    expect(r.metrics_after_delete).toEqual({
      total_count: 1,
      data: [{ ...m1, value: 0.9, comment: 'rechecked' }],
    });
    expect(r.m2_get_after_delete).toEqual(NOT_FOUND);

    expect(r.traces_all.ids).toContain(traceId);
    expect(r.traces_by_name.total_count).toBe(1);
    expect(r.traces_by_name.data).toHaveLength(1);
    const summary = r.traces_by_name.data[0]!;
    expect(summary).toMatchObject({
      id: traceId,
      name: rootName,
      output: 'A tracing backend',
      start_time: '2025-03-01T10:00:00.123456+00:00',
    });
    expect(JSON.parse(summary.input)).toEqual({ question: 'What is Tracehouse?' });
    expect([1376, 1377]).toContain(summary.duration_ms);

    expect(r.trace).toEqual({
      id: traceId,
      name: rootName,
      spans: [
        {
          id: r.root.id,
          name: rootName,
          parent_id: null,
          input: '{"question":"What is Tracehouse?"}',
          output: 'A tracing backend',
          metrics: [],
        },
        {
          id: r.grandchild.id,
          name: 'rerank',
          parent_id: r.child.id,
          input: 'docs',
          output: 'best doc',
          metrics: [],
        },
        {
          id: r.child.id,
          name: 'retrieve',
          parent_id: r.root.id,
          input: 'What is Tracehouse?',
          output: 'docs',
          metrics: [{ id: r.m1.id, dimension: 'relevance', value: 0.9, comment: 'rechecked' }],
        },
      ],
    });

    expect(r.saved).toMatchObject({ input: 'What is Tracehouse?', output: 'docs', expected: null });
    expect(r.saved.dataset_id).toEqual(expect.any(String));
    const entry = {
      id: r.saved.dataset_entry_id,
      input: 'What is Tracehouse?',
      output: 'docs',
      expected: null,
    };
    expect(r.entries.total_count).toBe(1);
    expect(r.entries.data).toMatchObject([entry]);
    expect(r.entry).toMatchObject(entry);

    expect(r.feedback).toEqual({ span_id: r.child.id, score: 1, comment: 'great', example_saved: false });
    expect(r.child_with_feedback.feedback).toEqual({ score: 1, comment: 'great' });

    expect(r.other).toEqual({
      'spans.get': NOT_FOUND,
      'spans.update': NOT_FOUND,
      'span_metrics.get': NOT_FOUND,
      'span_metrics.list': NOT_FOUND,
      'traces.get': NOT_FOUND,
      'datasets.get_entry': NOT_FOUND,
      'datasets.list_entries': NOT_FOUND,
      'spans.delete': NOT_FOUND,
      traces_by_name_count: 0,
    });
    expect(r.root_after_other_delete).toMatchObject({ id: r.root.id, meta });

    expect(r.grandchild_deleted).toBeNull();
    expect(r.grandchild_get_after_delete).toEqual(NOT_FOUND);
    expect(r.unknown).toEqual({
      'spans.get': NOT_FOUND,
      'spans.update': NOT_FOUND,
      'spans.save_examples': NOT_FOUND,
      'traces.get': NOT_FOUND,
      'datasets.get_entry': NOT_FOUND,
    });
    // Python parses these only because the body carries a `detail` key.
    expect(r.malformed).toEqual({
      'spans.get': INVALID,
      'traces.list limit=0': INVALID,
      'span_metrics.list offset=-1': INVALID,
    });
    expect(r.bad_key).toEqual({
      'spans.create': UNAUTHORIZED,
      'spans.get': UNAUTHORIZED,
      'traces.list': UNAUTHORIZED,
    });
  });

  it('an SDK built without a key sends no Authorization header: 401, unless the server has LOCAL_PROJECT', async () => {
    const refused = await runSession({ MODE: 'anonymous', OPPER_URL: url, ROOT_NAME: uniqueName('anon') });
    expect(refused).toEqual({ error: { ...UNAUTHORIZED, step: 'anonymous spans.create' } });

    const project = await ensureProject(stack.clickhouse, localProject);
    const localKey = (await createApiKey(stack.clickhouse, project.id)).key;
    const name = uniqueName('anon');
    const accepted = await runSession({
      MODE: 'anonymous',
      OPPER_URL: localUrl,
      ROOT_NAME: name,
      READ_KEY: localKey,
    });
    expect(accepted.error).toBeUndefined();
    expect(accepted.span).toMatchObject({ name, input: 'hi', meta: { via: 'no key' } });
    expect(accepted.got).toMatchObject({ id: accepted.span.id, name, input: 'hi', meta: { via: 'no key' } });
    // It landed in the LOCAL_PROJECT project: that project's key reads it.
    expect(accepted.read_back).toMatchObject({ id: accepted.span.id, name });
  });

  const runSession = (env: Record<string, string>) => runPythonJson(python, script, env);
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOT_FOUND = { class: 'NotFoundError', status: 404 };
const UNAUTHORIZED = { class: 'UnauthorizedError', status: 401 };
const INVALID = { class: 'RequestValidationError', status: 422 };
