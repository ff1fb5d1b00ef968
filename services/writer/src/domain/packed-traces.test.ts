import {
  encodeJsonEachRow,
  JsonLiteral,
  type SpanMetricRow,
  type SpanRowToInsert,
  storedTextColumns,
} from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { PackedTraceCache, packTrace, StoredRowLines, unpackTrace } from './packed-traces.js';
import { emptyTrace, type TraceState } from './trace-state.js';

const project = '00000000-0000-4000-8000-000000000001';
const trace = '00000000-0000-4000-8000-0000000000aa';
const otherTrace = '00000000-0000-4000-8000-0000000000bb';

function span(
  id: string,
  input: SpanRowToInsert['input'],
  output: SpanRowToInsert['output'],
  traceId = trace,
): SpanRowToInsert {
  return {
    project_id: project,
    trace_id: traceId,
    span_id: id,
    parent_id: null,
    name: 'generate',
    type: 'llm',
    start_time: '2026-12-04 22:00:00.000000',
    end_time: null,
    status: 'ok',
    error: null,
    input,
    output,
    meta: { step: '1' },
    tags: { model: 'gpt-4o' },
    model: 'gpt-4o',
    prompt_tokens: 1,
    completion_tokens: 2,
    total_tokens: 3,
    cost: null,
    score: 0.5,
    feedback_score: null,
    feedback_comment: null,
    received_at: '2026-12-04 22:00:00.000001',
    version: 1_733_349_600_123_456,
    deleted: 0,
    applied_log: 'spans/3',
    applied_offset: 42,
  };
}

function sampleTrace(): TraceState {
  // Tokens as the writer holds them: views into one buffer of a record's texts.
  const slab = Buffer.from('"a question""an answer"');
  const state = emptyTrace(project, trace);
  state.spans.set(
    's1',
    span('s1', new JsonLiteral(slab.subarray(0, 12)), new JsonLiteral(slab.subarray(12))),
  );
  state.spans.set('s2', span('s2', 'a string from a stored row', null));
  const metric: SpanMetricRow = {
    project_id: project,
    trace_id: trace,
    span_id: 's1',
    metric_id: 'm1',
    dimension: 'quality',
    value: 0.9,
    comment: null,
    created_at: '2026-12-04 22:00:00.000000',
    received_at: '2026-12-04 22:00:00.000001',
    version: 7,
    deleted: 0,
    span_name: 'generate',
    span_start_time: '2026-12-04 22:00:00.000000',
    span_tags: { model: 'gpt-4o' },
  };
  state.metrics.set('m1', metric);
  state.summaryVersion = 12;
  state.indexedStart = '2026-12-04 22:00:00.000000';
  state.applied.set('spans/3', 2n ** 60n);
  return state;
}

/** What a ClickHouse insert of the rows tells the batch's lines once they are stored. */
function insert(lines: StoredRowLines, rows: object[], literalKeys: readonly string[] = storedTextColumns) {
  const lineEnds: number[] = [];
  lines.keep(rows as SpanRowToInsert[])(encodeJsonEachRow(rows, literalKeys, undefined, lineEnds), lineEnds);
}

/** A trace's rows with their stored texts as the text they hold, token or string. */
const plain = (t: TraceState) => ({
  ...t,
  spans: [...t.spans.values()]
    .map((row) => ({
      ...row,
      input: row.input instanceof JsonLiteral ? row.input.text() : row.input,
      output: row.output instanceof JsonLiteral ? row.output.text() : row.output,
    }))
    .sort((a, b) => a.span_id.localeCompare(b.span_id)),
});

describe('packed traces', () => {
  it('unpack gives back the trace packed from the lines its insert stored', () => {
    const state = sampleTrace();
    const lines = new StoredRowLines();
    insert(lines, [...state.spans.values()]);
    insert(lines, [...state.metrics.values()], []);
    const back = unpackTrace(packTrace(state, lines));
    expect(plain(back)).toEqual(plain(state));
    expect(back.spans.get('s1')!.input).toBe('a question'); // as a row read from ClickHouse holds it
    expect(back.metrics.get('m1')).toEqual(state.metrics.get('m1'));
    expect(back.applied.get('spans/3')).toBe(2n ** 60n);
  });

  it('keeps a new trace as one copy of the lines it was inserted as, encoding nothing again', () => {
    const state = sampleTrace();
    const lines = new StoredRowLines();
    const rows = [...state.spans.values()];
    insert(lines, [span('x1', 'other', null, otherTrace), ...rows, span('x2', 'other', null, otherTrace)]);
    const packed = packTrace(state, lines);
    // The trace's lines were copied apart from the other trace's, so evicting one frees its own bytes.
    expect(packed.spans).toBe(lines.at(rows[0]!)!.copy);
    expect(packed.spans.toString()).toBe(encodeJsonEachRow(rows, storedTextColumns).toString());
  });

  it('encodes the rows a batch did not insert, beside the lines of those it did', () => {
    const earlier = unpackTrace(packTrace(sampleTrace())); // no lines: every row encoded
    const next = { ...earlier, spans: new Map(earlier.spans) };
    const added = span('s3', new JsonLiteral(Buffer.from('"new"')), null);
    next.spans.set('s3', added);
    const lines = new StoredRowLines();
    insert(lines, [added]);
    const back = unpackTrace(packTrace(next, lines));
    expect([...back.spans.keys()].sort()).toEqual(['s1', 's2', 's3']);
    expect(plain(back)).toEqual(plain(next));
  });

  it('holds a copy: changing the trace after it was cached does not change the cached one', () => {
    const cache = new PackedTraceCache(1 << 20);
    const state = sampleTrace();
    cache.set('k', state);
    state.spans.delete('s1');
    state.summaryVersion = 99;
    state.applied.clear();
    const cached = cache.get('k')!;
    expect(cached.spans.has('s1')).toBe(true);
    expect(cached.summaryVersion).toBe(12);
    expect(cached.applied.size).toBe(1);
  });

  it('drops a trace whose lines cannot be parsed back, so it is read from ClickHouse instead', () => {
    const state = emptyTrace(project, trace);
    // A token isJsonStringToken lets through (its quotes are right) with a raw tab JSON.parse refuses.
    const row = span('s1', new JsonLiteral(Buffer.from('"a\tb"')), null);
    state.spans.set('s1', row);
    const lines = new StoredRowLines();
    insert(lines, [row]);
    const cache = new PackedTraceCache(1 << 20);
    cache.set('k', state, lines);
    expect(cache.size).toBe(1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('counts the packed bytes against its bound and evicts the least recently used', () => {
    const packed = packTrace(sampleTrace());
    const one = packed.spans.length + packed.metrics.length + 400 + 50;
    const cache = new PackedTraceCache(2.5 * one);
    cache.set('a', sampleTrace());
    cache.set('b', sampleTrace());
    expect(cache.bytes).toBe(2 * one);
    cache.get('a');
    cache.set('c', sampleTrace());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
