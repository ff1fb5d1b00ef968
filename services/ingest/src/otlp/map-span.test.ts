import { Limits } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { decodeJsonTraces, decodeProtobufTraces, encodeProtobufTraces } from './codec.js';
import { spanUuid, traceUuid } from './ids.js';
import { isoFromNanos, mapSpan } from './map-span.js';
import type { OtlpSpan } from './model.js';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const spanId = 'b7ad6b7169203331';
const scope = { name: 'lib', version: '1.2', attributes: {} };

function otel(overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId,
    spanId,
    parentSpanId: '',
    traceState: '',
    name: 'op',
    kind: 1,
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000001000000000',
    attributes: {},
    events: [],
    links: [],
    status: { code: 0, message: '' },
    ...overrides,
  };
}

const mapped = (span: OtlpSpan, resource = {}) => {
  const result = mapSpan(resource, scope, span);
  if (!result.ok) throw new Error(result.reason);
  return result.request;
};

describe('mapSpan', () => {
  it('maps ids, times, kind and keeps the OTel ids in meta', () => {
    const r = mapped(otel({ parentSpanId: 'a1a2a3a4a5a6a7a8', kind: 2 }));
    expect(r).toMatchObject({
      id: spanUuid(traceId, spanId),
      trace_id: traceUuid(traceId),
      parent_id: spanUuid(traceId, 'a1a2a3a4a5a6a7a8'),
      type: 'server',
      status: 'unset',
      meta: {
        'otel.trace_id': traceId,
        'otel.span_id': spanId,
        'otel.parent_span_id': 'a1a2a3a4a5a6a7a8',
        'otel.span_kind': 'server',
        'otel.scope.name': 'lib',
        'otel.scope.version': '1.2',
      },
    });
    expect(r.start_time).toBe('2023-11-14T22:13:20.123456Z');
    expect(r.end_time).toBe('2023-11-14T22:13:21.000000Z');
  });

  it('puts allowlisted attributes in tags and the rest (of any type) in meta; the span wins over the resource', () => {
    const r = mapped(
      otel({
        attributes: { 'gen_ai.system': 'anthropic', 'user.id': 'u1', nested: { a: [1, 2] }, env: 'span' },
      }),
      { 'service.name': 'api', 'deployment.environment': 'prod', 'host.name': 'h1', env: 'resource' },
    );
    expect(r.tags).toEqual({
      'service.name': 'api',
      'deployment.environment': 'prod',
      'gen_ai.system': 'anthropic',
    });
    expect(r.meta).toMatchObject({ 'user.id': 'u1', nested: { a: [1, 2] }, 'host.name': 'h1', env: 'span' });
  });

  it('maps ERROR status and exception events to status and error text, keeping events in meta', () => {
    const events = [
      {
        name: 'exception',
        timeUnixNano: '1700000000500000000',
        attributes: {
          'exception.type': 'TimeoutError',
          'exception.message': 'slow',
          'exception.stacktrace': 'at x',
        },
      },
    ];
    const r = mapped(otel({ status: { code: 2, message: 'call failed' }, events }));
    expect(r.status).toBe('error');
    expect(r.error).toBe('call failed\nTimeoutError: slow\nat x');
    expect(r.meta?.['otel.events']).toEqual([
      { name: 'exception', time: '2023-11-14T22:13:20.500000Z', attributes: events[0]!.attributes },
    ]);
    expect(mapped(otel({ status: { code: 2, message: '' } })).error).toBe('error');
    expect(mapped(otel({ status: { code: 1, message: '' }, events })).error).toBeUndefined();
  });

  it('reads GenAI attributes: model, usage (new and old names), cost, flattened prompt and completion', () => {
    const r = mapped(
      otel({
        attributes: {
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.prompt_tokens': 10,
          'gen_ai.usage.completion_tokens': 5,
          'llm.cost.total': 0.5,
          'gen_ai.prompt.1.content': 'second',
          'gen_ai.prompt.0.content': 'first',
          'gen_ai.prompt.0.role': 'user',
          'gen_ai.completion.0.content': '{"answer":42}',
        },
      }),
    );
    expect(r).toMatchObject({
      type: 'llm',
      model: 'gpt-4o',
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      cost: 0.5,
      input: [{ role: 'user', content: 'first' }, { content: 'second' }],
      output: [{ content: { answer: 42 } }],
    });
    expect(Object.keys(r.meta ?? {}).filter((k) => k.startsWith('gen_ai.prompt'))).toEqual([]);
  });

  it('reads structured messages, message events and OpenInference attributes', () => {
    const structured = mapped(
      otel({
        attributes: {
          'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
          'gen_ai.output.messages': [{ role: 'assistant', parts: [] }],
        },
      }),
    );
    expect(structured.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(structured.output).toEqual([{ role: 'assistant', parts: [] }]);

    const events = mapped(
      otel({
        events: [
          {
            name: 'gen_ai.user.message',
            timeUnixNano: '0',
            attributes: { content: 'hello', 'gen_ai.system': 'x' },
          },
          {
            name: 'gen_ai.choice',
            timeUnixNano: '0',
            attributes: { index: 0, message: '{"content":"hey"}' },
          },
        ],
      }),
    );
    expect(events.input).toEqual([{ role: 'user', content: 'hello' }]);
    expect(events.output).toEqual([{ index: 0, message: { content: 'hey' } }]);

    const oi = mapped(
      otel({
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'claude',
          'llm.token_count.prompt': 3,
          'llm.token_count.completion': 4,
          'llm.token_count.total': 7,
          'llm.input_messages.0.message.role': 'user',
          'llm.input_messages.0.message.content': 'q',
          'output.value': 'a',
        },
      }),
    );
    expect(oi).toMatchObject({
      type: 'llm',
      model: 'claude',
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      input: [{ role: 'user', content: 'q' }],
      output: 'a',
    });
  });

  it('rejects a span that cannot be stored, with the reason', () => {
    expect(mapSpan({}, scope, otel({ traceId: '0'.repeat(32) }))).toMatchObject({ ok: false });
    expect(mapSpan({}, scope, otel({ spanId: 'abc' }))).toMatchObject({ ok: false, reason: /spanId/ });
    expect(mapSpan({}, scope, otel({ name: '' }))).toMatchObject({ ok: false, reason: /name/ });
    const many = Object.fromEntries(Array.from({ length: Limits.metaMaxKeys + 1 }, (_, i) => [`k${i}`, i]));
    expect(mapSpan({}, scope, otel({ attributes: many }))).toMatchObject({ ok: false, reason: /meta/ });
  });

  it('converts nanoseconds without losing microseconds; zero is no time', () => {
    expect(isoFromNanos('1700000000000001999')).toBe('2023-11-14T22:13:20.000001Z');
    expect(isoFromNanos('0')).toBeUndefined();
  });
});

describe('decoding', () => {
  const json = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            scope: { name: 's' },
            spans: [
              {
                traceId: traceId.toUpperCase(),
                spanId,
                name: 'x',
                kind: 'SPAN_KIND_CLIENT',
                startTimeUnixNano: 1700000000000000000,
                attributes: [
                  { key: 'i', value: { intValue: '9007199254740993' } },
                  {
                    key: 'kv',
                    value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } },
                  },
                ],
                status: { code: 2 },
              },
            ],
          },
        ],
      },
    ],
  };

  it('reads OTLP/JSON: hex ids (any case), enum names, int64 as strings or numbers', () => {
    const [s] = decodeJsonTraces(json).resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(s).toMatchObject({
      traceId,
      spanId,
      kind: 3,
      startTimeUnixNano: '1700000000000000000',
      attributes: { i: '9007199254740993', kv: { a: true } },
      status: { code: 2, message: '' },
    });
  });

  it('reads protobuf to the same model', () => {
    const fromProto = decodeProtobufTraces(
      encodeProtobufTraces({
        resourceSpans: [
          {
            ...json.resourceSpans[0],
            scopeSpans: [
              {
                scope: { name: 's' },
                spans: [
                  {
                    ...json.resourceSpans[0]!.scopeSpans[0]!.spans[0],
                    traceId,
                    kind: 3,
                    startTimeUnixNano: '1700000000000000000',
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(fromProto).toEqual(decodeJsonTraces(json));
  });

  it('caps how deep attribute values nest (deeper is null), in both encodings', () => {
    let value: unknown = { stringValue: 'leaf' };
    // 40 levels: past our cap of 32, within what protobufjs itself encodes (it refuses past 100 messages).
    for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
    const deep = {
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId, spanId, name: 'x', attributes: [{ key: 'd', value }] }] }] },
      ],
    };
    const depthOf = (v: unknown): number => (Array.isArray(v) ? 1 + depthOf(v[0]) : 0);
    for (const traces of [decodeJsonTraces(deep), decodeProtobufTraces(encodeProtobufTraces(deep))]) {
      const d = traces.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes.d;
      expect(depthOf(d)).toBe(33);
    }
  });

  it('refuses what is not OTLP', () => {
    expect(() => decodeJsonTraces({ resourceSpans: {} })).toThrow(/resourceSpans: expected an array/);
    expect(() => decodeJsonTraces([1])).toThrow(/body: expected an object/);
    expect(() => decodeProtobufTraces(Buffer.from([0x0a, 0xff, 0xff]))).toThrow(/ExportTraceServiceRequest/);
  });
});
