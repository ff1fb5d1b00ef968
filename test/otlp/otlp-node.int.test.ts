import { traceUuid } from '@tracehouse/ingest';
import { uniqueName } from '@tracehouse/test-support/names';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportedIds, expectGenAiTrace, genAiTraceSpec, idOf, type SpanSpec } from './genai-trace.js';
import { type ExporterKind, exporter, exportSpans, readWhenStored, recordTrace } from './otlp-client.js';

type Span = Parameters<typeof expectGenAiTrace>[0]['root'];
const keys: SpanSpec['key'][] = ['root', 'llm', 'tool', 'failing'];

/**
 * The official OpenTelemetry JS SDK and its OTLP exporters (protobuf and JSON) against a real write
 * path: every span read back through the Opper v2 API, with every mapped field checked.
 */
describe('OTLP/HTTP from the OpenTelemetry JS SDK', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await Stack.create();
    const ingest = await stack.startIngest();
    await stack.startWriter();
    base = await ingest.app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const auth = () => ({ authorization: `Bearer ${stack.apiKey}` });

  async function readSpans(ids: ExportedIds): Promise<Record<SpanSpec['key'], Span>> {
    const out = {} as Record<SpanSpec['key'], Span>;
    for (const key of keys) {
      out[key] = await readWhenStored<Span>(stack, `${base}/v2/spans/${idOf(ids, key)}`, stack.apiKey);
    }
    return out;
  }

  for (const kind of ['proto', 'json'] as ExporterKind[]) {
    it(`exports a GenAI trace with the ${kind} exporter; every field reads back through /v2`, async () => {
      const service = uniqueName(`svc-${kind}`);
      const requestId = uniqueName('req');
      const { spans, ids } = recordTrace(genAiTraceSpec(requestId), service);
      await exportSpans(exporter(kind, `${base}/v1/traces`, auth()), spans);

      expectGenAiTrace(await readSpans(ids), ids, {
        service,
        requestId,
        exceptionType: 'Error',
        scope: 'tracehouse-otel-test-js',
      });
      const traceView = await readWhenStored<{
        id: string;
        spans: { id: string; parent_id: string | null }[];
      }>(stack, `${base}/v2/traces/${traceUuid(ids.traceId)}`, stack.apiKey, (t) => t.spans.length === 4);
      expect(traceView.id).toBe(traceUuid(ids.traceId));
      expect(new Set(traceView.spans.map((s) => s.id))).toEqual(new Set(keys.map((k) => idOf(ids, k))));

      // Search by a tag from the resource finds the four spans.
      const res = await fetch(`${base}/v2/search/spans`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify({ filter: { tags: { 'service.name': service } }, limit: 10 }),
      });
      expect(res.status).toBe(200);
      const found = (await res.json()) as { data: { id: string }[] };
      expect(found.data.map((s) => s.id).sort()).toEqual(keys.map((k) => idOf(ids, k)).sort());
    });
  }

  it('children sent before their parent, in separate gzip requests, land in one trace', async () => {
    const service = uniqueName('svc-order');
    const { spans, ids } = recordTrace(genAiTraceSpec('r'), service);
    const exp = exporter('proto', `${base}/otlp/v1/traces`, auth(), 'gzip');
    const byId = (key: SpanSpec['key']) => spans.filter((s) => s.spanContext().spanId === ids.spans[key]);
    // Leaf first, root last, each in its own request.
    for (const key of ['failing', 'tool', 'llm', 'root'] as const) await exportSpans(exp, byId(key));

    const traceView = await readWhenStored<{ spans: { id: string; parent_id: string | null }[] }>(
      stack,
      `${base}/v2/traces/${traceUuid(ids.traceId)}`,
      stack.apiKey,
      (t) => t.spans.length === 4,
    );
    const parents = Object.fromEntries(traceView.spans.map((s) => [s.id, s.parent_id]));
    expect(parents).toEqual({
      [idOf(ids, 'root')]: null,
      [idOf(ids, 'llm')]: idOf(ids, 'root'),
      [idOf(ids, 'tool')]: idOf(ids, 'root'),
      [idOf(ids, 'failing')]: idOf(ids, 'tool'),
    });
  });

  it('the same batch sent twice stores each span once', async () => {
    const service = uniqueName('svc-retry');
    const other = await stack.otherProjectKey();
    const { spans, ids } = recordTrace(genAiTraceSpec('r'), service);
    const exp = exporter('json', `${base}/v1/traces`, { authorization: `Bearer ${other.key}` });
    await exportSpans(exp, spans);
    await exportSpans(exp, spans);
    await readWhenStored<{ spans: unknown[] }>(
      stack,
      `${base}/v2/traces/${traceUuid(ids.traceId)}`,
      other.key,
      (t) => t.spans.length === 4,
    );
    // The read above waited for the newest acknowledged version of the trace's spans (read-your-writes),
    // so the second export is applied too: four rows, and a summary that counts four spans.
    expect(await stack.spanCounts(other.projectId)).toEqual({ rows: 4, unique: 4 });
    const res = await fetch(`${base}/v2/search/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { tags: { 'service.name': service } } }),
    });
    const traces = (await res.json()) as { data: { id: string; span_count: number; error_count: number }[] };
    expect(traces.data).toEqual([
      expect.objectContaining({ id: traceUuid(ids.traceId), span_count: 4, error_count: 1 }),
    ]);
  });

  it('an Opper v2 span joins an OTel trace as a child of an OTel span', async () => {
    const { spans, ids } = recordTrace(genAiTraceSpec('r'), uniqueName('svc-mixed'));
    await exportSpans(exporter('proto', `${base}/v1/traces`, auth()), spans);
    const res = await fetch(`${base}/v2/spans`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'opper child', parent_id: idOf(ids, 'tool') }),
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { id: string; trace_id: string };
    expect(created.trace_id).toBe(traceUuid(ids.traceId));
    const traceView = await readWhenStored<{ spans: { id: string; parent_id: string | null }[] }>(
      stack,
      `${base}/v2/traces/${traceUuid(ids.traceId)}`,
      stack.apiKey,
      (t) => t.spans.length === 5,
    );
    expect(traceView.spans.find((s) => s.id === created.id)?.parent_id).toBe(idOf(ids, 'tool'));
  });
});
