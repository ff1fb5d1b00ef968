import { describe, expect, it } from 'vitest';
import type { TraceSpanView } from '../src/api/types.js';
import { extent, flatten } from '../src/trace/tree.js';

const span = (id: string, parent: string | null, startSec: number, endSec: number | null): TraceSpanView => ({
  id,
  name: id,
  parent_id: parent,
  start_time: new Date(startSec * 1000).toISOString(),
  end_time: endSec === null ? null : new Date(endSec * 1000).toISOString(),
  type: null,
  duration_ms: null,
  error: null,
  meta: null,
  score: null,
  data: { input: null, output: null, total_tokens: null, model: null, tags: [] },
  metrics: [],
});

describe('span tree', () => {
  const spans = [
    span('c2', 'root', 5, 6),
    span('root', null, 0, 10),
    span('c1', 'root', 1, 4),
    span('g1', 'c1', 2, 3),
    span('orphan', 'missing', 7, null),
  ];

  it('lists spans depth-first, children in start order, orphans as roots', () => {
    expect(flatten(spans, new Set()).map((r) => [r.span.id, r.depth, r.hasChildren])).toEqual([
      ['root', 0, true],
      ['c1', 1, true],
      ['g1', 2, false],
      ['c2', 1, false],
      ['orphan', 0, false],
    ]);
  });

  it('hides the children of collapsed spans', () => {
    expect(flatten(spans, new Set(['c1'])).map((r) => r.span.id)).toEqual(['root', 'c1', 'c2', 'orphan']);
  });

  it('handles a 10,000-deep chain without recursion, and a span that is its own parent', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) =>
      span(`s${i}`, i === 0 ? null : `s${i - 1}`, i, i + 1),
    );
    chain.push(span('self', 'self', 1, 2));
    const rows = flatten(chain, new Set());
    expect(rows).toHaveLength(10_001);
    expect(rows[9_999]!.depth).toBe(9_999);
  });

  it('spans the earliest start to the latest end', () => {
    expect(extent(spans)).toEqual([0, 10_000]);
  });
});
