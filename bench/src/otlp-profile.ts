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
  /** Tracehouse ids of the spans, for visibility probes. */
  ids: { id: string; traceId: string }[];
}

function otlpTrace(random: () => number, now: number) {
  const count = 5 + Math.floor(random() * 46);
  const traceId = hex(16);
  const rootId = hex(8);
  const ioBytes = () => Math.round(200 * 100 ** random());
  const spans: unknown[] = [];
  const ids: { id: string; traceId: string }[] = [];
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
    ids.push({ id: spanUuid(traceId, spanId), traceId: traceUuid(traceId) });
  }
  return { spans, ids };
}

/** One export of about `batchSpans` spans (whole traces), as the protobuf body the exporters send. */
export function makeOtlpBatch(random: () => number, now: number, batchSpans: number): OtlpBatch {
  const byService = new Map<string, unknown[]>();
  const ids: { id: string; traceId: string }[] = [];
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
  return { body: encodeProtobufTraces({ resourceSpans }), spans: ids.length, ids };
}
