import type { Attributes, AttrValue, OtlpEvent } from './model.js';

/**
 * What the GenAI semantic conventions (and OpenInference, which many LLM instrumentations use) say
 * about a span: model, token usage, cost, a type, and the prompt/completion as the span's input and
 * output. `consumed` lists the attribute keys that became input/output, so they are not kept twice.
 */
export interface GenAiView {
  type?: string;
  model?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  cost?: number;
  input?: unknown;
  output?: unknown;
  consumed: Set<string>;
}

const tokenCount = (v: AttrValue | undefined): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;

const firstOf = <T>(attrs: Attributes, keys: string[], pick: (v: AttrValue | undefined) => T | undefined) => {
  for (const key of keys) {
    const value = pick(attrs[key]);
    if (value !== undefined) return value;
  }
  return undefined;
};

const nonEmptyString = (v: AttrValue | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);
const nonNegative = (v: AttrValue | undefined) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;

/** A JSON string attribute (gen_ai.input.messages, input.value with a JSON mime type) as its value. */
function jsonish(value: AttrValue): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

/**
 * Flattened lists (`gen_ai.prompt.0.role`, `llm.input_messages.1.message.content`) as an array of
 * objects in index order; the keys it read are added to `consumed`.
 */
function indexedList(attrs: Attributes, prefix: string, consumed: Set<string>): unknown[] | undefined {
  const items = new Map<number, Record<string, unknown>>();
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(prefix)) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(prefix.length));
    if (!match) continue;
    const index = Number(match[1]);
    const item = items.get(index) ?? {};
    item[match[2]!.replace(/^message\./, '')] = jsonish(value);
    items.set(index, item);
    consumed.add(key);
  }
  if (items.size === 0) return undefined;
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** The first attribute among `keys` that is set, parsed when JSON; marked consumed. */
function takeValue(attrs: Attributes, keys: string[], consumed: Set<string>): unknown {
  for (const key of keys) {
    const value = attrs[key];
    if (value === undefined || value === null || value === '') continue;
    consumed.add(key);
    return jsonish(value);
  }
  return undefined;
}

const inputEvents: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** Message events (the older GenAI event convention) as messages; `gen_ai.choice` events as output. */
function eventMessages(events: OtlpEvent[]) {
  const input: unknown[] = [];
  const output: unknown[] = [];
  for (const e of events) {
    const attrs = Object.fromEntries(
      Object.entries(e.attributes)
        .filter(([k]) => k !== 'gen_ai.system')
        .map(([k, v]) => [k.replace(/^gen_ai\.event\./, ''), jsonish(v)]),
    );
    if (e.name in inputEvents) input.push({ role: inputEvents[e.name], ...attrs });
    else if (e.name === 'gen_ai.choice') output.push(attrs);
  }
  return { input: input.length ? input : undefined, output: output.length ? output : undefined };
}

const llmOperations = new Set(['chat', 'text_completion', 'generate_content', 'completion']);

function spanType(attrs: Attributes, model: string | undefined): string | undefined {
  const op = attrs['gen_ai.operation.name'];
  if (op === 'execute_tool' || typeof attrs['gen_ai.tool.name'] === 'string') return 'tool';
  if (op === 'embeddings') return 'embedding';
  if (op === 'invoke_agent' || op === 'create_agent') return 'agent';
  const openInference = attrs['openinference.span.kind'];
  if (typeof openInference === 'string' && openInference !== '') return openInference.toLowerCase();
  if ((typeof op === 'string' && llmOperations.has(op)) || model !== undefined) return 'llm';
  return undefined;
}

export function genAiView(attrs: Attributes, events: OtlpEvent[]): GenAiView {
  const consumed = new Set<string>();
  const model = firstOf(
    attrs,
    ['gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name'],
    nonEmptyString,
  );
  const prompt = firstOf(
    attrs,
    ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt'],
    tokenCount,
  );
  const completion = firstOf(
    attrs,
    ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion'],
    tokenCount,
  );
  const total =
    firstOf(
      attrs,
      ['gen_ai.usage.total_tokens', 'llm.usage.total_tokens', 'llm.token_count.total'],
      tokenCount,
    ) ?? (prompt !== undefined || completion !== undefined ? (prompt ?? 0) + (completion ?? 0) : undefined);
  const usage =
    total === undefined
      ? undefined
      : {
          ...(prompt === undefined ? {} : { prompt_tokens: prompt }),
          ...(completion === undefined ? {} : { completion_tokens: completion }),
          total_tokens: total,
        };
  const cost = firstOf(attrs, ['gen_ai.usage.cost', 'llm.cost.total', 'gen_ai.cost'], nonNegative);
  const fromEvents = eventMessages(events);
  const input =
    takeValue(attrs, ['gen_ai.input.messages'], consumed) ??
    indexedList(attrs, 'gen_ai.prompt.', consumed) ??
    indexedList(attrs, 'llm.input_messages.', consumed) ??
    fromEvents.input ??
    takeValue(attrs, ['input.value', 'gen_ai.prompt', 'gen_ai.tool.call.arguments'], consumed);
  const output =
    takeValue(attrs, ['gen_ai.output.messages'], consumed) ??
    indexedList(attrs, 'gen_ai.completion.', consumed) ??
    indexedList(attrs, 'llm.output_messages.', consumed) ??
    fromEvents.output ??
    takeValue(attrs, ['output.value', 'gen_ai.completion', 'gen_ai.tool.call.result'], consumed);
  return {
    type: spanType(attrs, model),
    ...(model === undefined ? {} : { model }),
    ...(usage === undefined ? {} : { usage }),
    ...(cost === undefined ? {} : { cost }),
    ...(input === undefined ? {} : { input }),
    ...(output === undefined ? {} : { output }),
    consumed,
  };
}
