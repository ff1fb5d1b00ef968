import { createHash } from 'node:crypto';

/**
 * The sample project `npm run demo` writes: a RAG pipeline and a tool-using agent, as ingest items
 * (`POST /v2/ingest`). Ids derive from the trace number, so writing it again changes nothing.
 */

/** A v4-shaped UUID from a name: the same name always gives the same id. */
export function demoId(name: string): string {
  const h = createHash('sha256').update(`tracehouse-demo/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const questions = [
  'How do I rotate an API key?',
  'What is the refund policy for annual plans?',
  'Can I export traces as CSV?',
  'Why is my p95 latency higher on Mondays?',
  'How are tokens counted for streaming responses?',
  'Which regions store my data?',
];
const models = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3-70b'];
const environments = ['production', 'production', 'staging'];
const tools = ['web_search', 'calculator', 'sql_query', 'send_email'];

type Item = Record<string, unknown>;

interface SpanSpec {
  id: string;
  parent?: string;
  name: string;
  type: string;
  startMs: number;
  durationMs: number;
  input?: unknown;
  output?: unknown;
  error?: string;
  model?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  cost?: number;
}

function spanItem(traceId: string, s: SpanSpec, tags: Record<string, string>): Item {
  return {
    type: 'span.create',
    body: {
      id: s.id,
      trace_id: traceId,
      ...(s.parent ? { parent_id: s.parent } : {}),
      name: s.name,
      type: s.type,
      start_time: new Date(s.startMs).toISOString(),
      end_time: new Date(s.startMs + s.durationMs).toISOString(),
      ...(s.input === undefined ? {} : { input: s.input }),
      ...(s.output === undefined ? {} : { output: s.output }),
      ...(s.error ? { error: s.error, status: 'error' } : { status: 'ok' }),
      ...(s.model ? { model: s.model } : {}),
      ...(s.usage ? { usage: s.usage } : {}),
      ...(s.cost === undefined ? {} : { cost: s.cost }),
      tags,
    },
  };
}

const metric = (spanId: string, name: string, dimension: string, value: number): Item => ({
  type: 'metric.create',
  span_id: spanId,
  id: demoId(`${name}/${dimension}`),
  body: { dimension, value },
});

/** A retrieval-augmented answer: embed, retrieve, rerank, generate; scored afterwards. */
export function ragTrace(n: number, startMs: number): { traceId: string; items: Item[] } {
  const traceId = demoId(`rag/${n}`);
  const question = questions[n % questions.length]!;
  const model = models[n % models.length]!;
  const tags = { environment: environments[n % 3]!, model, user_id: `user-${n % 37}`, pipeline: 'rag' };
  const failed = n % 23 === 7;
  const tokens = { prompt_tokens: 900 + (n % 7) * 120, completion_tokens: 120 + (n % 5) * 40 };
  const docs = [`kb/${n % 11}.md`, `kb/${(n + 3) % 11}.md`, `faq/${n % 5}.md`];
  let t = startMs;
  const step = (ms: number) => {
    const at = t;
    t += ms;
    return at;
  };
  const spans: SpanSpec[] = [
    {
      id: demoId(`rag/${n}/embed`),
      parent: traceId,
      name: 'embed-query',
      type: 'embedding',
      startMs: step(40),
      durationMs: 35,
      input: question,
      model: 'text-embedding-3-small',
    },
    {
      id: demoId(`rag/${n}/retrieve`),
      parent: traceId,
      name: 'retrieve-docs',
      type: 'retrieval',
      startMs: step(120),
      durationMs: 110,
      input: { top_k: 3 },
      output: docs,
    },
    {
      id: demoId(`rag/${n}/rerank`),
      parent: traceId,
      name: 'rerank',
      type: 'retrieval',
      startMs: step(60),
      durationMs: 55,
      output: docs.slice(0, 2),
    },
    {
      id: demoId(`rag/${n}/generate`),
      parent: traceId,
      name: 'generate-answer',
      type: 'llm',
      startMs: step(600 + (n % 9) * 180),
      durationMs: 580 + (n % 9) * 180,
      input: {
        messages: [
          { role: 'system', content: 'Answer from the documents.' },
          { role: 'user', content: question },
        ],
      },
      ...(failed
        ? { error: 'upstream model timed out after 30s' }
        : { output: `Here is what the documentation says about "${question}".` }),
      model,
      usage: tokens,
      cost: Math.round((tokens.prompt_tokens * 2.5 + tokens.completion_tokens * 10) / 10) / 100_000,
    },
  ];
  const rootMs = t - startMs;
  const root: SpanSpec = {
    id: traceId,
    name: 'answer-question',
    type: 'workflow',
    startMs,
    durationMs: rootMs,
    input: { question },
    ...(failed
      ? { error: 'generation failed' }
      : { output: { answer: `Answer to "${question}"`, sources: docs.slice(0, 2) } }),
  };
  const items = [root, ...spans].map((s) => spanItem(traceId, s, tags));
  const generate = spans[3]!.id;
  items.push(metric(generate, `rag/${n}`, 'latency_ms', spans[3]!.durationMs));
  if (!failed) items.push(metric(generate, `rag/${n}`, 'quality_score', 2.5 + ((n * 7) % 25) / 10));
  return { traceId, items };
}

/** An agent that plans, calls tools, and answers; one in nine tool calls fails. */
export function agentTrace(n: number, startMs: number): { traceId: string; items: Item[] } {
  const traceId = demoId(`agent/${n}`);
  const model = models[(n + 1) % models.length]!;
  const tags = {
    environment: environments[(n + 1) % 3]!,
    model,
    user_id: `user-${n % 29}`,
    pipeline: 'agent',
  };
  const spans: SpanSpec[] = [];
  let t = startMs + 20;
  const plan = demoId(`agent/${n}/plan`);
  spans.push({
    id: plan,
    parent: traceId,
    name: 'plan',
    type: 'llm',
    startMs: t,
    durationMs: 420,
    input: 'Find the cheapest flight and email it',
    output: { steps: 2 + (n % 3) },
    model,
    usage: { prompt_tokens: 400, completion_tokens: 90 },
  });
  t += 430;
  for (let i = 0; i < 2 + (n % 3); i++) {
    const tool = tools[(n + i) % tools.length]!;
    const failed = (n + i) % 9 === 4;
    spans.push({
      id: demoId(`agent/${n}/tool/${i}`),
      parent: traceId,
      name: `tool:${tool}`,
      type: 'tool',
      startMs: t,
      durationMs: 150 + ((n + i) % 6) * 90,
      input: { tool, args: { query: `step ${i}` } },
      ...(failed ? { error: `${tool} returned 502` } : { output: { ok: true, rows: (n + i) % 12 } }),
    });
    t += 160 + ((n + i) % 6) * 90;
  }
  const final = demoId(`agent/${n}/final`);
  spans.push({
    id: final,
    parent: traceId,
    name: 'final-answer',
    type: 'llm',
    startMs: t,
    durationMs: 700,
    output: 'Booked: the 07:40 flight, confirmation sent.',
    model,
    usage: { prompt_tokens: 1200, completion_tokens: 160 },
  });
  t += 710;
  const root: SpanSpec = {
    id: traceId,
    name: 'agent-run',
    type: 'agent',
    startMs,
    durationMs: t - startMs,
    input: { task: 'book a flight' },
    output: { done: true },
  };
  const items = [root, ...spans].map((s) => spanItem(traceId, s, tags));
  items.push(metric(final, `agent/${n}`, 'quality_score', 3 + ((n * 3) % 20) / 10));
  items.push(metric(traceId, `agent/${n}`, 'latency_ms', t - startMs));
  return { traceId, items };
}

/** Every trace of the sample, spread over the last 24 hours before `nowMs`. */
export function sampleTraces(nowMs: number, rag = 240, agents = 80): { traceId: string; items: Item[] }[] {
  const day = 24 * 3600_000;
  const at = (i: number, of: number) => nowMs - day + Math.floor(((i + 0.5) / of) * (day - 60_000));
  return [
    ...Array.from({ length: rag }, (_, n) => ragTrace(n, at(n, rag))),
    ...Array.from({ length: agents }, (_, n) => agentTrace(n, at(n, agents) + 7_000)),
  ];
}
