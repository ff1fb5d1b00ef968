import { spanUuid, traceUuid } from '@tracehouse/ingest';
import { expect } from 'vitest';

/**
 * The GenAI-shaped trace every OTel client in these tests exports (Node and Python build it from this
 * one description): an agent root, an LLM call with model, tokens, cost, prompt and completion, a tool
 * call, and a span that fails with an exception.
 */
export interface SpanSpec {
  key: 'root' | 'llm' | 'tool' | 'failing';
  name: string;
  /** SpanKind number: 1 internal, 3 client. */
  kind: number;
  parent: SpanSpec['key'] | null;
  attributes: Record<string, string | number | boolean>;
  /** Ends with status ERROR and this message, after recording an exception of this message. */
  error?: { status: string; exception: string };
}

export function genAiTraceSpec(requestId: string): SpanSpec[] {
  return [
    {
      key: 'root',
      name: 'agent.run',
      kind: 1,
      parent: null,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'input.value': '{"question":"Weather in Paris?"}',
        'input.mime_type': 'application/json',
        'output.value': 'It is sunny and 21°C in Paris.',
        'app.request_id': requestId,
      },
    },
    {
      key: 'llm',
      name: 'chat gpt-4o-mini',
      kind: 3,
      parent: 'root',
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.usage.input_tokens': 42,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.usage.cost': 0.0012,
        'gen_ai.prompt.0.role': 'system',
        'gen_ai.prompt.0.content': 'You are a weather assistant.',
        'gen_ai.prompt.1.role': 'user',
        'gen_ai.prompt.1.content': 'Weather in Paris?',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'Let me check the weather.',
        'gen_ai.completion.0.finish_reason': 'tool_calls',
      },
    },
    {
      key: 'tool',
      name: 'execute_tool get_weather',
      kind: 1,
      parent: 'root',
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        'gen_ai.tool.call.arguments': '{"city":"Paris"}',
        'gen_ai.tool.call.result': '{"temp_c":21,"sky":"sunny"}',
      },
    },
    {
      key: 'failing',
      name: 'parse_forecast',
      kind: 1,
      parent: 'tool',
      attributes: { 'app.step': 3 },
      error: { status: 'forecast could not be parsed', exception: 'unexpected token at 7' },
    },
  ];
}

/** The OTel ids a client reports for each span of the trace, as hex. */
export interface ExportedIds {
  traceId: string;
  spans: Record<SpanSpec['key'], string>;
}

/** The Tracehouse span id of an exported span. */
export const idOf = (ids: ExportedIds, key: SpanSpec['key']) => spanUuid(ids.traceId, ids.spans[key]);

type Span = Record<string, unknown> & { meta: Record<string, unknown>; tags: Record<string, string> };

/**
 * Checks every mapped field of the four spans as `GET /v2/spans/{id}` returns them (docs/OTLP.md).
 * `exception` is the exception type the client's SDK records (`Error` in Node, `ValueError` in Python).
 */
export function expectGenAiTrace(
  spans: Record<SpanSpec['key'], Span>,
  ids: ExportedIds,
  expected: { service: string; requestId: string; exceptionType: string; scope: string },
) {
  const traceId = traceUuid(ids.traceId);
  const resourceTags = { 'service.name': expected.service, 'deployment.environment': 'test' };
  for (const key of ['root', 'llm', 'tool', 'failing'] as const) {
    const s = spans[key];
    expect(s.id).toBe(idOf(ids, key));
    expect(s.trace_id).toBe(traceId);
    expect(s.meta['otel.trace_id']).toBe(ids.traceId);
    expect(s.meta['otel.span_id']).toBe(ids.spans[key]);
    expect(s.meta['otel.scope.name']).toBe(expected.scope);
    expect(s.tags).toMatchObject(resourceTags);
    // Resource attributes outside the tag list land in meta.
    expect(s.meta['service.instance.id']).toBe(`${expected.service}-1`);
    expect(s.start_time).toEqual(expect.any(String));
    expect(s.end_time).toEqual(expect.any(String));
    expect(Date.parse(s.end_time as string)).toBeGreaterThanOrEqual(Date.parse(s.start_time as string));
  }
  expect(spans.root).toMatchObject({
    name: 'agent.run',
    parent_id: null,
    type: 'agent',
    status: 'unset',
    error: null,
    input: { question: 'Weather in Paris?' },
    output: 'It is sunny and 21°C in Paris.',
    tags: { ...resourceTags, 'gen_ai.operation.name': 'invoke_agent' },
    meta: {
      'app.request_id': expected.requestId,
      'input.mime_type': 'application/json',
      'otel.span_kind': 'internal',
    },
  });
  expect(spans.root.meta).not.toHaveProperty('otel.parent_span_id');
  expect(spans.root.meta).not.toHaveProperty('input.value');

  expect(spans.llm).toMatchObject({
    name: 'chat gpt-4o-mini',
    parent_id: idOf(ids, 'root'),
    type: 'llm',
    model: 'gpt-4o-mini-2024-07-18',
    usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
    cost: 0.0012,
    input: [
      { role: 'system', content: 'You are a weather assistant.' },
      { role: 'user', content: 'Weather in Paris?' },
    ],
    output: [{ role: 'assistant', content: 'Let me check the weather.', finish_reason: 'tool_calls' }],
    tags: {
      ...resourceTags,
      'gen_ai.system': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
    },
    meta: {
      'otel.parent_span_id': ids.spans.root,
      'otel.span_kind': 'client',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.usage.input_tokens': 42,
    },
  });
  expect(spans.llm.meta).not.toHaveProperty('gen_ai.prompt.0.content');

  expect(spans.tool).toMatchObject({
    name: 'execute_tool get_weather',
    parent_id: idOf(ids, 'root'),
    type: 'tool',
    input: { city: 'Paris' },
    output: { temp_c: 21, sky: 'sunny' },
    meta: { 'gen_ai.tool.name': 'get_weather' },
  });

  const failing = spans.failing;
  expect(failing).toMatchObject({
    name: 'parse_forecast',
    parent_id: idOf(ids, 'tool'),
    status: 'error',
    meta: {
      'app.step': 3,
      'otel.status_code': 'error',
      'otel.status_message': 'forecast could not be parsed',
    },
  });
  expect(failing.error).toContain('forecast could not be parsed');
  expect(failing.error).toContain(`${expected.exceptionType}: unexpected token at 7`);
  const events = failing.meta['otel.events'] as { name: string; attributes: Record<string, unknown> }[];
  expect(events).toEqual([
    expect.objectContaining({
      name: 'exception',
      attributes: expect.objectContaining({ 'exception.message': 'unexpected token at 7' }),
    }),
  ]);
}
