import { randomUUID } from 'node:crypto';

/** A seeded span, as the tests expect to see it. */
export interface SeededSpan {
  id: string;
  parentId: string | null;
  name: string;
  startMs: number;
  input: unknown;
  quality: number;
}

export interface SeededTrace {
  id: string;
  name: string;
  tags: Record<string, string>;
  error: boolean;
  /** Depth-first, children in start order: the waterfall's order. */
  spans: SeededSpan[];
}

const envs = ['prod', 'staging'];
const regions = ['eu', 'us', 'ap'];

/**
 * Traces over the last hour through `POST /v2/ingest`: two of every env × region, each a root with a
 * retrieval, an LLM call holding a tool call, and a final step; a quality metric on every span.
 */
export function makeTraces(now = Date.now()): SeededTrace[] {
  const traces: SeededTrace[] = [];
  let n = 0;
  for (let copy = 0; copy < 2; copy++) {
    for (const env of envs) {
      for (const region of regions) {
        const start = now - 50 * 60_000 + n * 3 * 60_000;
        const id = randomUUID();
        const name = `answer-question-${n}`;
        const span = (parentId: string | null, spanName: string, offset: number): SeededSpan => ({
          id: parentId === null ? id : randomUUID(),
          parentId,
          name: spanName,
          startMs: start + offset,
          input: { question: `What is ${spanName} #${n}?`, step: spanName },
          quality: Math.round((0.5 + ((n * 7 + offset) % 50) / 100) * 100) / 100,
        });
        const root = span(null, name, 0);
        const retrieve = span(root.id, 'retrieve-docs', 10);
        const llm = span(root.id, 'llm-call', 120);
        const tool = span(llm.id, 'tool-search', 150);
        const final = span(root.id, 'format-answer', 900);
        traces.push({
          id,
          name,
          tags: { env, region },
          error: n % 6 === 4,
          spans: [root, retrieve, llm, tool, final],
        });
        n++;
      }
    }
  }
  return traces;
}

/** The ingest items creating the traces (spans first, then their metrics). */
export function ingestItems(traces: SeededTrace[]): unknown[] {
  return traces.flatMap((t) =>
    t.spans.flatMap((s, i) => {
      const end = s.parentId === null ? s.startMs + 1_200 : s.startMs + 100 + i * 40;
      return [
        {
          type: 'span.create',
          body: {
            id: s.id,
            trace_id: t.id,
            ...(s.parentId ? { parent_id: s.parentId } : {}),
            name: s.name,
            type: s.name === 'llm-call' ? 'llm' : 'step',
            start_time: new Date(s.startMs).toISOString(),
            end_time: new Date(end).toISOString(),
            input: s.input,
            output: { answer: `answer from ${s.name}`, long: 'x'.repeat(i === 1 ? 3_000 : 10) },
            tags: t.tags,
            meta: { customer: 'acme' },
            ...(s.name === 'llm-call'
              ? { model: 'gpt-test', usage: { prompt_tokens: 120, completion_tokens: 30 }, cost: 0.0021 }
              : {}),
            ...(t.error && s.name === 'tool-search' ? { error: 'tool timed out', status: 'error' } : {}),
          },
        },
        { type: 'metric.create', span_id: s.id, body: { dimension: 'quality', value: s.quality } },
      ];
    }),
  );
}

/** Posts ingest items in batches of 1,000 and fails loudly on any rejected item. */
export async function seedItems(baseUrl: string, apiKey: string, items: unknown[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1_000) {
    const res = await fetch(`${baseUrl}/v2/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: items.slice(i, i + 1_000) }),
    });
    const body = (await res.json()) as { rejected: number; results: unknown[] };
    if (res.status !== 200 || body.rejected !== 0)
      throw new Error(`seeding failed: ${JSON.stringify(body).slice(0, 800)}`);
  }
}

export const seed = (baseUrl: string, apiKey: string, traces: SeededTrace[]) =>
  seedItems(baseUrl, apiKey, ingestItems(traces));

/**
 * One trace of `size` spans: a root with 100 children, each with a run of children of its own, so the
 * tree is wide and nested. `lastInOrder` is the last span in the waterfall's (depth-first) order.
 */
export function bigTrace(
  size: number,
  now = Date.now(),
): { id: string; items: unknown[]; lastInOrder: string } {
  const id = randomUUID();
  const start = now - 30 * 60_000;
  const at = (ms: number) => new Date(start + ms).toISOString();
  const span = (spanId: string, parentId: string | null, name: string, from: number, to: number) => ({
    type: 'span.create',
    body: {
      id: spanId,
      trace_id: id,
      ...(parentId ? { parent_id: parentId } : {}),
      name,
      start_time: at(from),
      end_time: at(to),
    },
  });
  const items: unknown[] = [span(id, null, 'batch-job', 0, size + 10)];
  const groups = 100;
  const perGroup = Math.ceil((size - 1) / groups);
  let lastInOrder = id;
  for (let g = 0; g < groups && items.length < size; g++) {
    const group = randomUUID();
    const from = g * perGroup;
    items.push(span(group, id, `chunk-${g}`, from, from + perGroup));
    lastInOrder = group;
    for (let c = 1; c < perGroup && items.length < size; c++) {
      const child = randomUUID();
      items.push(span(child, group, `item-${g}-${c}`, from + c, from + c + 1));
      lastInOrder = child;
    }
  }
  return { id, items, lastInOrder };
}
