import { randomUUID } from 'node:crypto';
import { type SearchFilter, SpanSearchPage, TraceSearchPage } from '@tracehouse/shared';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient, pool } from '../write-path/helpers.js';

/**
 * 50,000 spans with mixed tags, names, types, meta, durations, errors and metrics, loaded through
 * `/v2/ingest`; every filter must return exactly the ids the generator says match, and cursor pages
 * must neither skip nor repeat, also while new spans arrive between pages.
 */
const SPANS = 50_000;
const PER_TRACE = 10;
const names = ['retrieve', 'generate', 'rank', 'embed'];
const types = ['llm', 'tool', 'retrieval'];
const envs = ['production', 'staging', 'dev'];

interface Generated {
  id: string;
  traceId: string;
  root: boolean;
  name: string;
  type: string;
  startMs: number;
  durationMs: number | null;
  error: boolean;
  tags: Record<string, string>;
  meta: { customer: string; attempt: number };
  quality: number | null;
}

/** A small deterministic hash so the data is varied but reproducible. */
const mix = (i: number) => {
  let x = (i + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

function generate(baseMs: number): Generated[] {
  const spans: Generated[] = [];
  let traceId = '';
  for (let i = 0; i < SPANS; i++) {
    const h = mix(i);
    const root = i % PER_TRACE === 0;
    const id = randomUUID();
    if (root) traceId = id;
    const t = Math.floor(i / PER_TRACE);
    const tags: Record<string, string> = { environment: envs[mix(t) % 3]!, user: `u${h % 50}` };
    if (h % 7 === 0) tags.experiment = h % 2 ? 'exp-a' : 'exp-b';
    spans.push({
      id,
      traceId,
      root,
      name: root ? `pipeline-${t % 5}` : names[i % 4]!,
      type: types[h % 3]!,
      startMs: baseMs + i * 1000 + (root ? 0 : 1),
      durationMs: i % 13 === 0 ? null : h % 2000,
      error: i % 17 === 0,
      tags,
      meta: { customer: `c${i % 20}`, attempt: h % 3 },
      quality: i % 5 === 0 ? (h % 51) / 10 : null,
    });
  }
  return spans;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('search over 50,000 spans', () => {
  let stack: Stack;
  let api: IngestClient;
  let spans: Generated[];
  let baseMs: number;

  beforeAll(async () => {
    stack = await Stack.create();
    const ingest = await stack.startIngest();
    await stack.startWriter();
    api = injectClient(ingest.app, stack.apiKey);
    baseMs = Date.now() - 20 * 3600_000;
    spans = generate(baseMs);
    const batches: Generated[][] = [];
    for (let i = 0; i < spans.length; i += 500) batches.push(spans.slice(i, i + 500));
    await pool(batches, 4, async (batch) => {
      const items = batch.flatMap((s) => {
        const create = {
          type: 'span.create',
          body: {
            id: s.id,
            trace_id: s.traceId,
            ...(s.root ? {} : { parent_id: s.traceId }),
            name: s.name,
            type: s.type,
            start_time: iso(s.startMs),
            ...(s.durationMs === null ? {} : { end_time: iso(s.startMs + s.durationMs) }),
            ...(s.error ? { error: 'boom' } : {}),
            tags: s.tags,
            meta: s.meta,
            input: { i: s.id.slice(0, 8) },
          },
        };
        return s.quality === null
          ? [create]
          : [
              create,
              {
                type: 'metric.create',
                span_id: s.id,
                body: { dimension: 'quality_score', value: s.quality },
              },
            ];
      });
      const res = await api.request('POST', '/v2/ingest', { items });
      if (res.status !== 200 || res.body.rejected !== 0)
        throw new Error(JSON.stringify(res.body).slice(0, 500));
    });
    const stored = await stack.eventually(
      () => stack.spanCounts(),
      (c) => c.rows >= SPANS,
      120_000,
    );
    expect(stored.rows).toBe(SPANS);
    // Trace summaries are refreshed with the span batch; wait until every trace has all its spans.
    await stack.eventually(
      async () => {
        const rs = await stack.clickhouse.query({
          query: 'SELECT sum(span_count) AS n FROM trace_summaries FINAL WHERE project_id = {p:UUID}',
          query_params: { p: stack.projectId },
          format: 'JSONEachRow',
        });
        return Number((await rs.json<{ n: string }>())[0]?.n);
      },
      (n) => n === SPANS,
      120_000,
    );
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function allSpanIds(filter: SearchFilter, sort = '-start_time', limit = 1_000): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await api.request('POST', '/v2/search/spans', { filter, sort, limit, cursor });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const page = SpanSearchPage.parse(res.body);
      ids.push(...page.data.map((s) => s.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return ids;
  }

  const expectExactly = (got: string[], want: Generated[]) => {
    expect(new Set(got).size).toBe(got.length); // no repeats
    expect([...got].sort()).toEqual(want.map((s) => s.id).sort());
  };

  const inWindow = (s: Generated, from: number, to: number) => s.startMs >= from && s.startMs < to;

  it('every filter returns exactly the matching spans', async () => {
    const cases: [string, SearchFilter, (s: Generated) => boolean][] = [
      ['no filter (default last 24 h)', {}, () => true],
      [
        'two tags (AND)',
        { tags: { environment: 'production', user: 'u7' } },
        (s) => s.tags.environment === 'production' && s.tags.user === 'u7',
      ],
      ['tag key exists', { tag_keys: ['experiment'] }, (s) => 'experiment' in s.tags],
      [
        'name in a time range',
        { name: 'rank', from: iso(baseMs + 10_000_000), to: iso(baseMs + 20_000_000) },
        (s) => s.name === 'rank' && inWindow(s, baseMs + 10_000_000, baseMs + 20_000_000),
      ],
      ['errors', { has_error: true }, (s) => s.error],
      ['status error', { status: 'error' }, (s) => s.error],
      [
        'type and meta string',
        { type: 'tool', meta: { customer: 'c3' } },
        (s) => s.type === 'tool' && s.meta.customer === 'c3',
      ],
      ['meta number', { meta: { attempt: 2 } }, (s) => s.meta.attempt === 2],
      [
        'duration range',
        { min_duration_ms: 500, max_duration_ms: 700 },
        (s) => s.durationMs !== null && s.durationMs >= 500 && s.durationMs <= 700,
      ],
      [
        'metric value range',
        { metric: { dimension: 'quality_score', min: 2, max: 3 } },
        (s) => s.quality !== null && s.quality >= 2 && s.quality <= 3,
      ],
      [
        'everything at once',
        {
          tags: { environment: 'staging' },
          tag_keys: ['user'],
          type: 'llm',
          has_error: false,
          min_duration_ms: 1000,
        },
        (s) =>
          s.tags.environment === 'staging' && s.type === 'llm' && !s.error && (s.durationMs ?? -1) >= 1000,
      ],
    ];
    for (const [label, filter, match] of cases) {
      const want = spans.filter(match);
      expect(want.length, label).toBeGreaterThan(0);
      const got = await allSpanIds(filter);
      expect(got.length, label).toBe(want.length);
      expectExactly(got, want);
    }
  });

  it('sorts by start time and duration in both directions, pages consistent with the sort', async () => {
    const filter: SearchFilter = { tags: { user: 'u11' } };
    const want = spans.filter((s) => s.tags.user === 'u11');
    const asc = await allSpanIds(filter, 'start_time', 97);
    expect(asc).toEqual([...want].sort((a, b) => a.startMs - b.startMs).map((s) => s.id));
    const byDuration = await allSpanIds(filter, '-duration_ms', 53);
    expectExactly(byDuration, want);
    const durations = byDuration.map((id) => want.find((s) => s.id === id)!.durationMs ?? -1);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
  });

  it('cursor pages neither skip nor repeat while new spans arrive between pages', async () => {
    const filter: SearchFilter = { tags: { environment: 'dev' } };
    const want = spans.filter((s) => s.tags.environment === 'dev');
    const ids: string[] = [];
    let cursor: string | undefined;
    let round = 0;
    do {
      const res = await api.request('POST', '/v2/search/spans', { filter, limit: 700, cursor });
      const page = SpanSearchPage.parse(res.body);
      ids.push(...page.data.map((s) => s.id));
      cursor = page.next_cursor ?? undefined;
      // New spans in between: one now (newer than every page), one back-dated into pages already read.
      const items = [0, 1].map((k) => ({
        type: 'span.create',
        body: {
          name: 'late',
          tags: { environment: 'dev' },
          start_time: iso(k === 0 ? Date.now() : baseMs + 49_000_000 - round * 1000),
        },
      }));
      expect((await api.request('POST', '/v2/ingest', { items })).status).toBe(200);
      round++;
    } while (cursor);
    expect(round).toBeGreaterThan(5);
    expectExactly(
      ids.filter((id) => spans.some((s) => s.id === id)),
      want,
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('trace search filters on trace tags, root name, duration and span criteria', async () => {
    const traces = new Map<string, Generated[]>();
    for (const s of spans) traces.set(s.traceId, [...(traces.get(s.traceId) ?? []), s]);
    const search = async (filter: SearchFilter) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await api.request('POST', '/v2/search/traces', { filter, limit: 1_000, cursor });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const page = TraceSearchPage.parse(res.body);
        ids.push(...page.data.map((t) => t.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return ids.sort();
    };
    const want = (match: (spans: Generated[]) => boolean) =>
      [...traces.entries()]
        .filter(([, t]) => match(t))
        .map(([id]) => id)
        .sort();
    expect(await search({ tags: { environment: 'production' }, tag_keys: ['experiment'] })).toEqual(
      want((t) => t[0]!.tags.environment === 'production' && t.some((s) => 'experiment' in s.tags)),
    );
    expect(await search({ name: 'pipeline-3' })).toEqual(want((t) => t[0]!.name === 'pipeline-3'));
    expect(await search({ has_error: true, type: 'tool' })).toEqual(
      want((t) => t.some((s) => s.error && s.type === 'tool')),
    );
    expect(await search({ metric: { dimension: 'quality_score', min: 5 } })).toEqual(
      want((t) => t.some((s) => s.quality !== null && s.quality >= 5)),
    );
  });

  it('rejects bad filters with 422 naming the field, and foreign cursors', async () => {
    const bad = await api.request('POST', '/v2/search/spans', { filter: { tags: { env: 5 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain('filter.tags.env');
    const unknown = await api.request('POST', '/v2/search/spans', { filter: { colour: 'red' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.message).toContain('colour');
    const page = await api.request('POST', '/v2/search/spans', { filter: { name: 'rank' }, limit: 1 });
    const foreign = await api.request('POST', '/v2/search/spans', {
      filter: { name: 'embed' },
      limit: 1,
      cursor: page.body.next_cursor,
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.message).toContain('cursor');
    const garbage = await api.request('POST', '/v2/search/spans', { cursor: "x' OR 1=1 --" });
    expect(garbage.status).toBe(422);
    const sqlish = await api.request('POST', '/v2/search/spans', {
      filter: { name: "x' OR 1=1 --", tags: { "k'); DROP TABLE spans; --": 'v' } },
    });
    expect(sqlish.status).toBe(200);
    expect(sqlish.body.data).toEqual([]);
  });
});
