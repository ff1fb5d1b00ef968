import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { traceUuid } from '@tracehouse/ingest';
import { uniqueName } from '@tracehouse/test-support/names';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportedIds, expectGenAiTrace, genAiTraceSpec, idOf, type SpanSpec } from './genai-trace.js';
import { readWhenStored } from './otlp-client.js';
import { OTEL_PY_VERSION, otelPython } from './python-otel.js';

const run = promisify(execFile);
const script = join(import.meta.dirname, 'otel_export.py');
type Span = Parameters<typeof expectGenAiTrace>[0]['root'];

/**
 * The official OpenTelemetry Python SDK with `opentelemetry-exporter-otlp-proto-http` (protobuf, gzip,
 * the key in `x-tracehouse-key`, the `/otlp` prefix) exports the GenAI trace in a child process.
 */
describe(`OTLP/HTTP from the OpenTelemetry Python SDK ${OTEL_PY_VERSION}`, () => {
  let stack: Stack;
  let python: string;
  let base: string;

  beforeAll(async () => {
    [stack, python] = await Promise.all([Stack.create(), otelPython()]);
    const ingest = await stack.startIngest();
    await stack.startWriter();
    base = await ingest.app.listen({ port: 0, host: '127.0.0.1' });
  }, 600_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('exports a GenAI trace; every field reads back through /v2', async () => {
    const service = uniqueName('svc-py');
    const requestId = uniqueName('req');
    const { stdout } = await run(python, [script], {
      timeout: 120_000,
      env: {
        ...process.env,
        SPEC: JSON.stringify(genAiTraceSpec(requestId)),
        SERVICE: service,
        ENDPOINT: `${base}/otlp/v1/traces`,
        KEY: stack.apiKey,
      },
    });
    const ids = JSON.parse(stdout) as ExportedIds;
    const spans = {} as Record<SpanSpec['key'], Span>;
    for (const key of ['root', 'llm', 'tool', 'failing'] as const) {
      spans[key] = await readWhenStored<Span>(stack, `${base}/v2/spans/${idOf(ids, key)}`, stack.apiKey);
    }
    expectGenAiTrace(spans, ids, {
      service,
      requestId,
      exceptionType: 'ValueError',
      scope: 'tracehouse-otel-test-py',
    });
    const traceView = await readWhenStored<{ spans: unknown[] }>(
      stack,
      `${base}/v2/traces/${traceUuid(ids.traceId)}`,
      stack.apiKey,
      (t) => t.spans.length === 4,
    );
    expect(traceView.spans).toHaveLength(4);
  });
});
