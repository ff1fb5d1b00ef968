import type { BenchStack } from './bench-stack.js';

/**
 * Fills the run's tables up to `target` stored spans directly in ClickHouse (INSERT … SELECT from
 * numbers()), for query latency at sizes the pipeline would take too long to reach on this machine.
 * Traces of 20 spans over the last 24 h, tags with the load's cardinality, a metric on every third span,
 * and one summary row per trace, as the writer would make them. Input/output are 200 B each, or with
 * `io: 'realistic'` 200 B–20 KB log-uniform like the realistic load, a quarter of each random (base64)
 * so it compresses about as much as text, not to nothing.
 */
export async function fillStored(
  stack: BenchStack,
  target: number,
  options: { io?: 'small' | 'realistic'; chunk?: number; onChunk?: (stored: number) => void } = {},
): Promise<number> {
  // Realistic input/output is about 9 KB a span: a million of them in one INSERT … SELECT took minutes
  // on two cores; chunks also show progress.
  const chunk = options.chunk ?? (options.io === 'realistic' ? 250_000 : 1_000_000);
  const have = await stack.storedSpans();
  // Deterministic UUIDs from a number (version 4 and RFC variant bits set, as the API validates them),
  // so a trace's spans, metrics and summary agree on its id.
  const uuid = (expr: string, salt: number) => {
    const h = `concat(leftPad(hex(cityHash64(${expr}, ${salt})), 16, '0'), leftPad(hex(cityHash64(${expr}, ${salt + 1})), 16, '0'))`;
    return `toUUID(lower(concat(substring(${h}, 1, 8), '-', substring(${h}, 9, 4), '-4', substring(${h}, 14, 3), '-8', substring(${h}, 18, 3), '-', substring(${h}, 21, 12))))`;
  };
  const trace = uuid('intDiv(number, 20)', 1);
  const span = uuid('number', 3);
  const tags = `map('environment', ['production','staging','dev'][intDiv(number, 20) % 3 + 1],
                    'user_id', concat('user-', toString(intDiv(number, 20) % 10000)),
                    'experiment', concat('exp-', toString(intDiv(number, 20) % 20)),
                    'model', ['gpt-4o','gpt-4o-mini','claude-3-5-sonnet','claude-3-haiku','llama-3-70b','mistral-large','gemini-1.5-pro','o1'][intDiv(number, 20) % 8 + 1])`;
  const start = `now64(6) - toIntervalMillisecond(intDiv(intDiv(number, 20) * 1728000000, {total:UInt64}) % 86400000)`;
  const io = (salt: number, row: string) => {
    if (options.io !== 'realistic') return `concat('"', repeat('${salt === 11 ? 'i' : 'o'}', 200), '"')`;
    const n = `toUInt32(exp(log(200) + (cityHash64(${row}, ${salt}) % 10000) / 10000 * log(100)))`;
    return `concat('"', substring(base64Encode(randomString(intDiv(${n}, 4))), 1, intDiv(${n}, 4)), repeat('x', ${n} - intDiv(${n}, 4)), '"')`;
  };
  for (let from = have; from < target; from += chunk) {
    const count = Math.min(chunk, target - from);
    const params = { p: stack.projectId, from, count, total: target };
    await stack.clickhouse.command({
      query: `INSERT INTO spans_v2 (project_id, trace_id, span_id, parent_id, name, type, start_time, end_time, status,
                                 input, output, meta, tags, model, prompt_tokens, completion_tokens, total_tokens,
                                 received_at, version, deleted)
              SELECT {p:UUID}, ${trace}, if(number % 20 = 0, ${trace}, ${span}),
                     if(number % 20 = 0, NULL, ${trace}),
                     if(number % 20 = 0, 'pipeline', ['retrieve','rerank','generate','embed'][number % 4 + 1]),
                     'llm', ${start}, ${start} + toIntervalMillisecond(number % 2000), 'ok',
                     ${io(11, 'number')}, ${io(12, 'number')}, map('step', toString(number % 20)), ${tags}, '',
                     100, 50, 150, now64(6), 1, 0
              FROM numbers({from:UInt64}, {count:UInt64})`,
      query_params: params,
    });
    await stack.clickhouse.command({
      // With their span's name, start and tags, as the writer copies them (migration 0006).
      query: `INSERT INTO span_metrics (project_id, trace_id, span_id, metric_id, dimension, value, comment, created_at,
                                        received_at, version, deleted, span_name, span_start_time, span_tags)
              SELECT {p:UUID}, ${trace}, if(number % 20 = 0, ${trace}, ${span}), ${uuid('number', 5)},
                     'quality_score', (number % 50) / 10, NULL, now64(6), now64(6), 1, 0,
                     if(number % 20 = 0, 'pipeline', ['retrieve','rerank','generate','embed'][number % 4 + 1]),
                     ${start}, ${tags}
              FROM numbers({from:UInt64}, {count:UInt64}) WHERE number % 3 = 0`,
      query_params: params,
    });
    await stack.clickhouse.command({
      query: `INSERT INTO trace_summaries (project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status,
                                  span_count, error_count, total_tokens, total_cost, input, output, tags, received_at,
                                  spans_version, version, deleted)
              SELECT {p:UUID}, ${trace}, ${trace}, 'pipeline', ${start}, ${start} + toIntervalMillisecond(2000), 2000,
                     'ok', 20, 0, 3000, 0, ${io(11, 'number')}, ${io(12, 'number')}, ${tags}, now64(6), 1, 1, 0
              FROM numbers({from:UInt64}, {count:UInt64}) WHERE number % 20 = 0`,
      query_params: params,
    });
    options.onChunk?.(from + count);
  }
  return stack.storedSpans();
}
