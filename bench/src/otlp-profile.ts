import { randomBytes } from 'node:crypto';
import { encodeProtobufTraces, spanUuid, traceUuid } from '@tracehouse/ingest';
import { models, text } from './profiles.js';

/**
 * The `otlp` profile: what an OTel-instrumented LLM app exports (OpenLLMetry-like GenAI attributes),
 * as OTLP protobuf batches for `POST /v1/traces`. Traces of 5–50 spans: an agent root, LLM calls with
 * model, tokens, cost and prompt/completion messages of 200 B–20 KB (log-uniform, as `realistic`),
 * and tool calls; resources of 20 services over 3 environments.
 */
const envs = ['production', 'staging', 'dev'];
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: value } });
const dbl = (key: string, value: number) => ({ key, value: { doubleValue: value } });

export interface OtlpBatch {
  body: Uint8Array;
  spans: number;
  /** The OTel ids of the spans (hex). */
  hexIds: { traceId: string; spanId: string }[];
}

function otlpTrace(random: () => number, now: number) {
  const count = 5 + Math.floor(random() * 46);
  const traceId = hex(16);
  const rootId = hex(8);
  const ioBytes = () => Math.round(200 * 100 ** random());
  const spans: unknown[] = [];
  const ids: { traceId: string; spanId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const spanId = i === 0 ? rootId : hex(8);
    const start = BigInt(now + i) * 1_000_000n;
    const end = start + BigInt(Math.floor(random() * 2_000)) * 1_000_000n;
    const model = models[Math.floor(random() * models.length)]!;
    const kind = i === 0 ? 'root' : random() < 0.7 ? 'llm' : 'tool';
    const attributes =
      kind === 'root'
        ? [
            str('gen_ai.operation.name', 'invoke_agent'),
            str('input.value', text(ioBytes())),
            str('output.value', text(ioBytes())),
          ]
        : kind === 'llm'
          ? [
              str('gen_ai.system', model.startsWith('claude') ? 'anthropic' : 'openai'),
              str('gen_ai.operation.name', 'chat'),
              str('gen_ai.request.model', model),
              str('gen_ai.response.model', model),
              int('gen_ai.usage.input_tokens', 100 + i),
              int('gen_ai.usage.output_tokens', 50),
              dbl('gen_ai.usage.cost', 0.0001 * (i + 1)),
              str('gen_ai.prompt.0.role', 'system'),
              str('gen_ai.prompt.0.content', 'You are a helpful assistant.'),
              str('gen_ai.prompt.1.role', 'user'),
              str('gen_ai.prompt.1.content', text(ioBytes())),
              str('gen_ai.completion.0.role', 'assistant'),
              str('gen_ai.completion.0.content', text(ioBytes())),
              str('user.id', `user-${Math.floor(random() * 10_000)}`),
            ]
          : [
              str('gen_ai.operation.name', 'execute_tool'),
              str('gen_ai.tool.name', 'search'),
              str('gen_ai.tool.call.arguments', JSON.stringify({ q: text(100) })),
              str('gen_ai.tool.call.result', JSON.stringify({ hits: text(ioBytes()) })),
            ];
    spans.push({
      traceId,
      spanId,
      ...(i === 0 ? {} : { parentSpanId: rootId }),
      name: kind === 'root' ? 'agent.run' : kind === 'llm' ? `chat ${model}` : 'execute_tool search',
      kind: kind === 'llm' ? 3 : 1,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: end.toString(),
      attributes,
      status: { code: random() < 0.02 ? 2 : 0 },
    });
    ids.push({ traceId, spanId });
  }
  return { spans, ids };
}

/**
 * An export made before the load (like the /v2 profiles' bodies, see load.ts): the protobuf body with
 * the byte offset of every trace id in it. A send writes its number over the first 4 bytes of each
 * trace id, so every trace, and so every span id (a hash of trace and span id), is new per send.
 */
export interface OtlpTemplate {
  spans: number;
  body(send: number): Uint8Array;
  /** The Tracehouse ids of span `index` as sent by send number `send`. */
  sample(send: number, index: number): { id: string; traceId: string };
}

export function otlpTemplate(random: () => number, batchSpans: number): OtlpTemplate {
  const batch = makeOtlpBatch(random, Date.now(), batchSpans);
  const template = Buffer.from(batch.body);
  const offsets: number[] = [];
  for (const traceId of new Set(batch.hexIds.map((h) => h.traceId))) {
    const bytes = Buffer.from(traceId, 'hex');
    // Each trace id occurs once per span; 16 random bytes do not occur by chance in the rest.
    for (let at = template.indexOf(bytes); at >= 0; at = template.indexOf(bytes, at + 1)) offsets.push(at);
  }
  const head = (send: number) => (send >>> 0).toString(16).padStart(8, '0');
  return {
    spans: batch.spans,
    body(send) {
      const body = Buffer.from(template);
      for (const at of offsets) body.writeUInt32BE(send >>> 0, at);
      return body;
    },
    sample(send, index) {
      const { traceId, spanId } = batch.hexIds[index]!;
      const renewed = head(send) + traceId.slice(8);
      return { id: spanUuid(renewed, spanId), traceId: traceUuid(renewed) };
    },
  };
}

/** One export of about `batchSpans` spans (whole traces), as the protobuf body the exporters send. */
export function makeOtlpBatch(random: () => number, now: number, batchSpans: number): OtlpBatch {
  const byService = new Map<string, unknown[]>();
  const ids: { traceId: string; spanId: string }[] = [];
  while (ids.length < batchSpans) {
    const service = `svc-${Math.floor(random() * 20)}|${envs[Math.floor(random() * envs.length)]}`;
    const trace = otlpTrace(random, now);
    byService.set(service, [...(byService.get(service) ?? []), ...trace.spans]);
    ids.push(...trace.ids);
  }
  const resourceSpans = [...byService].map(([service, spans]) => {
    const [name, env] = service.split('|') as [string, string];
    return {
      resource: { attributes: [str('service.name', name), str('deployment.environment', env)] },
      scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.openai', version: '0.40.0' }, spans }],
    };
  });
  return { body: encodeProtobufTraces({ resourceSpans }), spans: ids.length, hexIds: ids };
}
