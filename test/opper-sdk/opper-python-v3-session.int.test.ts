import { join } from 'node:path';
import { uniqueName } from '@tracehouse/test-support/names';
import { OPPERAI_PY_V3_VERSION, opperPython } from '@tracehouse/test-support/python-opper';
import { runPythonJson } from '@tracehouse/test-support/python-venv';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'python_v3_session.py');

// biome-ignore lint/suspicious/noExplicitAny: response JSON, asserted field by field
type Json = any;

/**
 * A whole v3 session driven by the official PyPI SDK (`opperai` 2.1.1, unmodified) in a child process:
 * `Opper(api_key=KEY, base_url='<url>')` (the SDK itself puts `/v3` before every path). The script prints
 * what it read back as one JSON object and exits non-zero (with the failing step) on any SDK error.
 * Reads follow their writes at once, without polling (the server promises read-your-writes), and the
 * spans are cross-read through `/v2` to prove both versions share one store.
 */
describe(`official PyPI opperai ${OPPERAI_PY_V3_VERSION} SDK against /v3`, () => {
  let stack: Stack;
  let python: string;
  let url: string;

  beforeAll(async () => {
    [stack, python] = await Promise.all([Stack.create(), opperPython(OPPERAI_PY_V3_VERSION)]);
    const ingest = await stack.startIngest();
    await stack.startWriter();
    url = await ingest.app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** A call on the v2 or v3 API with the session's key; the body as JSON (null for 204). */
  async function call(
    version: 'v2' | 'v3',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${url}/${version}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  }
  const v2 = (method: string, path: string, body?: unknown) => call('v2', method, path, body);
  const v3 = (method: string, path: string, body?: unknown) => call('v3', method, path, body);

  it('runs a session: spans create/get/update/delete, traces list/get/delete, read across v2 and v3', async () => {
    const rootName = uniqueName('py v3 session & co');
    // Written through v2, read through v3 by the script.
    const v2Root = await v2('POST', '/spans', {
      name: uniqueName('v2 root'),
      input: { question: 'from v2' },
      meta: { via: 'v2' },
      start_time: '2025-03-01T09:00:00Z',
    });
    expect(v2Root.status).toBe(200);
    const v2Child = await v2('POST', '/spans', { name: 'v2 child', parent_id: v2Root.body.id });
    expect(v2Child.status).toBe(200);

    const other = await stack.otherProjectKey();
    const r = await runSession({
      OPPER_BASE_URL: url,
      OPPER_KEY: stack.apiKey,
      OTHER_KEY: other.key,
      ROOT_NAME: rootName,
      V2_SPAN_ID: v2Root.body.id,
      V2_TRACE_ID: v2Root.body.trace_id,
    });

    const traceId = r.root.trace_id;
    expect(traceId).toMatch(UUID);
    expect(r.root).toEqual({
      id: expect.stringMatching(UUID),
      trace_id: traceId,
      name: rootName,
      parent_id: null,
      type: 'agent',
    });
    expect(r.got).toMatchObject({
      id: r.root.id,
      trace_id: traceId,
      name: rootName,
      parent_id: null,
      type: 'agent',
      input: 'What is Tracehouse?',
      output: null,
      error: null,
      start_time: '2025-03-01T10:00:00.123456Z',
      end_time: null,
      meta: { user: 'ann' },
      metadata: { user: 'ann' },
      tags: { env: 'test', attempt: '2' },
    });
    expect(r.child).toEqual({
      id: expect.stringMatching(UUID),
      trace_id: traceId,
      name: 'retrieve',
      parent_id: r.root.id,
      type: 'tool',
    });
    expect(r.grandchild).toEqual({
      id: expect.stringMatching(UUID),
      trace_id: traceId,
      name: 'rerank',
      parent_id: r.child.id,
      type: null,
    });

    expect(r.update_returned).toBeNull();
    // meta and metadata both merge key by key into the span's meta.
    const meta = { user: 'ann', reviewed: true, round: 2 };
    expect(r.got_after_update).toMatchObject({
      id: r.root.id,
      input: 'What is Tracehouse?',
      output: 'A tracing backend',
      end_time: '2025-03-01T10:00:01.500000Z',
      meta,
      metadata: meta,
      tags: { env: 'prod', attempt: '2' },
    });

    expect(r.traces_by_name).toEqual({
      meta: { total_count: 1 },
      data: [
        {
          id: traceId,
          name: rootName,
          span_count: 3,
          start_time: '2025-03-01T10:00:00.123456Z',
          end_time: '2025-03-01T10:00:01.500000Z',
          duration_ms: 1377,
          status: 'error',
        },
      ],
    });
    expect(r.traces_by_name_part).toEqual({ meta: { total_count: 1 }, ids: [traceId] });
    expect(r.traces_first_page.count).toBe(1);
    expect(r.traces_first_page.total_count).toBeGreaterThanOrEqual(2);
    expect(r.traces_all_contains_root).toBe(true);

    // Python reads the trace's fields at the top level of the answer.
    expect(r.trace).toMatchObject({
      id: traceId,
      name: rootName,
      span_count: 3,
      start_time: '2025-03-01T10:00:00.123456Z',
      end_time: '2025-03-01T10:00:01.500000Z',
      duration_ms: 1377,
      status: 'error',
    });
    expect(r.trace.spans.map((s: { name: string }) => s.name)).toEqual([rootName, 'retrieve', 'rerank']);
    expect(r.trace.spans[0]).toMatchObject({
      id: r.root.id,
      trace_id: traceId,
      output: 'A tracing backend',
      meta,
      metadata: meta,
    });
    expect(r.trace.spans[1]).toMatchObject({
      id: r.child.id,
      parent_id: r.root.id,
      input: 'What is Tracehouse?',
      output: 'docs',
    });
    expect(r.trace.spans[2]).toMatchObject({
      id: r.grandchild.id,
      parent_id: r.child.id,
      error: 'reranker timed out once',
      status: 'error',
    });

    // The SDK's own `with opper.trace(...)`: nested spans, ended, the inner one with its exception.
    const { outer, inner } = r.traced_handles;
    expect(inner.trace_id).toBe(outer.trace_id);
    expect(r.traced).toMatchObject({
      id: outer.trace_id,
      name: `${rootName} traced`,
      span_count: 2,
      status: 'error',
    });
    expect(r.traced.spans).toEqual([
      expect.objectContaining({
        id: outer.id,
        parent_id: null,
        input: 'hello',
        meta: { k: 'v' },
        tags: { team: 'core' },
        error: null,
        end_time: expect.stringMatching(/Z$/),
      }),
      expect.objectContaining({
        id: inner.id,
        name: 'inner step',
        parent_id: outer.id,
        error: 'inner failed',
        end_time: expect.stringMatching(/Z$/),
      }),
    ]);

    // A span and trace written through v2, read through v3.
    expect(r.v2_span).toMatchObject({
      id: v2Root.body.id,
      trace_id: v2Root.body.trace_id,
      input: { question: 'from v2' },
      meta: { via: 'v2' },
      metadata: { via: 'v2' },
    });
    expect(r.v2_trace).toMatchObject({ id: v2Root.body.trace_id, span_count: 2 });
    expect(r.v2_trace.spans.map((s: { id: string }) => s.id).sort()).toEqual(
      [v2Root.body.id, v2Child.body.id].sort(),
    );

    const notFound = { class: 'NotFoundError', status: 404, code: 'TH_NOT_FOUND', has_message: true };
    expect(r.other).toEqual({
      'spans.get': notFound,
      'spans.update': notFound,
      'spans.delete': notFound,
      'traces.get': notFound,
      'traces.delete': notFound,
      traces_by_name_count: 0,
    });
    const invalid = { class: 'BadRequestError', status: 400, code: 'TH_VALIDATION', has_message: true };
    expect(r.malformed).toEqual({
      'spans.get': invalid,
      'spans.create parent_id': invalid,
      'traces.list limit=0': invalid,
    });
    const unauthorized = {
      class: 'AuthenticationError',
      status: 401,
      code: 'TH_UNAUTHORIZED',
      has_message: true,
    };
    expect(r.bad_key).toEqual({ 'spans.create': unauthorized, 'traces.list': unauthorized });

    expect(r.grandchild_deleted).toBeNull();
    expect(r.grandchild_get_after_delete).toEqual(notFound);
    expect(r.trace_after_span_delete).toEqual([rootName, 'retrieve']);

    expect(r.trace_deleted).toBeNull();
    expect(r.after_trace_delete).toEqual({
      'traces.get': notFound,
      'spans.get root': notFound,
      'spans.get child': notFound,
      'traces.delete again': notFound,
      traces_by_name_ids: [outer.trace_id],
    });
  });

  it('spans written through v3 read through v2, and a trace deleted through v3 is gone from v2', async () => {
    const name = uniqueName('v3 to v2');
    const created = await v3('POST', '/spans', {
      name,
      input: 'hi',
      metadata: { via: 'v3' },
      tags: { n: 1 },
    });
    expect(created.status).toBe(200);
    const { id, trace_id } = created.body.data;
    const child = await v3('POST', '/spans', { name: 'child', parent_id: id, output: 'there' });
    expect(child.body.data).toMatchObject({ trace_id, parent_id: id });

    const span = await v2('GET', `/spans/${id}`);
    expect(span).toMatchObject({
      status: 200,
      body: { id, name, trace_id, input: 'hi', meta: { via: 'v3' }, tags: { n: '1' } },
    });
    const trace = await v2('GET', `/traces/${trace_id}`);
    expect(trace.status).toBe(200);
    expect(trace.body).toMatchObject({ id: trace_id, name, span_count: 2 });

    expect((await v3('DELETE', `/traces/${trace_id}`)).status).toBe(204);
    expect(await v2('GET', `/traces/${trace_id}`)).toMatchObject({
      status: 404,
      body: { type: 'NotFoundError' },
    });
    expect(await v2('GET', `/spans/${child.body.data.id}`)).toMatchObject({ status: 404 });
    const gone = await v3('GET', `/spans/${id}`);
    expect(gone).toEqual({
      status: 404,
      body: { error: { code: 'TH_NOT_FOUND', message: 'Span not found' } },
    });
  });

  const runSession = (env: Record<string, string>) => runPythonJson(python, script, env);
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
