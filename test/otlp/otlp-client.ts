import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Stack } from '@tracehouse/test-support/stack';
import type { ExportedIds, SpanSpec } from './genai-trace.js';

/**
 * The official OpenTelemetry JS SDK as a client: spans are recorded in memory, then handed to a real
 * OTLP exporter by the test, so a test decides what goes in which request (and can send it twice).
 */
export function recordTrace(spec: SpanSpec[], service: string): { spans: ReadableSpan[]; ids: ExportedIds } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'deployment.environment': 'test',
      'service.instance.id': `${service}-1`,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('tracehouse-otel-test-js', '1.0.0');
  const open = new Map<string, ReturnType<typeof tracer.startSpan>>();
  const spans = {} as ExportedIds['spans'];
  for (const s of spec) {
    const parent = s.parent ? open.get(s.parent) : undefined;
    // No context manager is registered: parents are passed explicitly.
    const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const span = tracer.startSpan(
      s.name,
      { kind: s.kind === 3 ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: s.attributes },
      ctx,
    );
    open.set(s.key, span);
    spans[s.key] = span.spanContext().spanId;
  }
  for (const s of [...spec].reverse()) {
    const span = open.get(s.key)!;
    if (s.error) {
      span.recordException(new Error(s.error.exception));
      span.setStatus({ code: SpanStatusCode.ERROR, message: s.error.status });
    }
    span.end();
  }
  return {
    spans: memory.getFinishedSpans(),
    ids: { traceId: open.get('root')!.spanContext().traceId, spans },
  };
}

export type ExporterKind = 'proto' | 'json';

export function exporter(
  kind: ExporterKind,
  url: string,
  headers: Record<string, string>,
  compression: 'gzip' | 'none' = 'none',
) {
  const options = { url, headers, compression: compression as never, timeoutMillis: 30_000 };
  return kind === 'proto' ? new ProtoExporter(options) : new JsonExporter(options);
}

/** One export call; rejects with the exporter's error when the server refused it. */
export function exportSpans(exp: ReturnType<typeof exporter>, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exp.export(spans, (result) => {
      if (result.code === 0) resolve();
      else reject(result.error ?? new Error(`export failed (${result.code})`));
    });
  });
}

/** GET a v2 resource, polling until it answers 200 (the write path is asynchronous) or the deadline. */
export async function readWhenStored<T>(
  stack: Stack,
  url: string,
  key: string,
  check: (v: T) => boolean = () => true,
) {
  const read = async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as T };
  };
  const last = await stack.eventually(read, (r) => r.status === 200 && check(r.body));
  if (last.status !== 200) throw new Error(`GET ${url} → ${last.status}: ${JSON.stringify(last.body)}`);
  return last.body;
}
