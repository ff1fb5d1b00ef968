import { randomUUID } from 'node:crypto';

/**
 * Traffic shapes: `realistic` is what an LLM app sends; `small` tests the per-span overhead; `otlp` is
 * `realistic`-sized GenAI spans as OTLP protobuf to `/v1/traces` (otlp-profile.ts).
 */
export type ProfileName = 'realistic' | 'small' | 'otlp';

const envs = ['production', 'staging', 'dev'];
export const models = [
  'gpt-4o',
  'gpt-4o-mini',
  'claude-3-5-sonnet',
  'claude-3-haiku',
  'llama-3-70b',
  'mistral-large',
  'gemini-1.5-pro',
  'o1',
];
const names = ['retrieve', 'rerank', 'generate', 'embed', 'tool-call', 'parse', 'guardrail', 'summarize'];

/** A fast, seeded generator so runs are comparable. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const filler = 'The quick brown fox jumps over the lazy dog while the model considers its answer. ';
export const text = (bytes: number) => filler.repeat(Math.ceil(bytes / filler.length)).slice(0, bytes);

export interface TraceBatch {
  items: unknown[];
  spans: number;
  /** Span ids, for visibility probes. */
  ids: { id: string; traceId: string }[];
}

/**
 * One trace of ingest items: 5–50 spans (realistic) or 5–10 (small), children naming parent and trace,
 * input/output of 200 B–20 KB (log-uniform) or up to 300 B, tags with realistic cardinality, a metric
 * on about a third of the spans.
 */
export function makeTrace(profile: ProfileName, random: () => number, now: number): TraceBatch {
  // The otlp profile's baselines use rows of the realistic shape (the same sizes).
  const realistic = profile !== 'small';
  const count = realistic ? 5 + Math.floor(random() * 46) : 5 + Math.floor(random() * 6);
  const traceId = randomUUID();
  const tags = {
    environment: envs[Math.floor(random() * envs.length)]!,
    user_id: `user-${Math.floor(random() * 10_000)}`,
    experiment: `exp-${Math.floor(random() * 20)}`,
    model: models[Math.floor(random() * models.length)]!,
  };
  const ioBytes = () => (realistic ? Math.round(200 * 100 ** random()) : 50 + Math.floor(random() * 100));
  const items: unknown[] = [];
  const ids: { id: string; traceId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const id = i === 0 ? traceId : randomUUID();
    const start = now + i;
    const duration = Math.floor(random() * 2_000);
    items.push({
      type: 'span.create',
      body: {
        id,
        trace_id: traceId,
        ...(i === 0 ? {} : { parent_id: traceId }),
        name: i === 0 ? 'pipeline' : names[i % names.length],
        type: i === 0 ? 'workflow' : 'llm',
        start_time: new Date(start).toISOString(),
        end_time: new Date(start + duration).toISOString(),
        input: text(ioBytes()),
        output: text(ioBytes()),
        tags,
        meta: { step: i, prompt_version: 3 },
        usage: { prompt_tokens: 100 + i, completion_tokens: 50 },
      },
    });
    if (random() < 0.33) {
      items.push({
        type: 'metric.create',
        span_id: id,
        id: randomUUID(),
        body: {
          dimension: random() < 0.5 ? 'quality_score' : 'latency_ms',
          value: Math.round(random() * 1000) / 10,
        },
      });
    }
    ids.push({ id, traceId });
  }
  return { items, spans: count, ids };
}
