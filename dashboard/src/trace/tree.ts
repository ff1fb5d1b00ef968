import type { TraceSpanView } from '../api/types';

export interface Row {
  span: TraceSpanView;
  depth: number;
  hasChildren: boolean;
  startMs: number;
  endMs: number | null;
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : null);

/**
 * The spans as a depth-first list, children under their parent in start order (parent order),
 * skipping the children of collapsed spans. Spans whose parent is not in the trace become roots.
 * Iterative, so a 10,000-deep chain does not overflow the stack.
 */
export function flatten(spans: TraceSpanView[], collapsed: Set<string>): Row[] {
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string | null, TraceSpanView[]>();
  for (const s of spans) {
    const parent = s.parent_id && ids.has(s.parent_id) && s.parent_id !== s.id ? s.parent_id : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const byStart = (a: TraceSpanView, b: TraceSpanView) =>
    (ms(a.start_time) ?? 0) - (ms(b.start_time) ?? 0) || a.id.localeCompare(b.id);
  for (const list of children.values()) list.sort(byStart);

  const rows: Row[] = [];
  const stack: { span: TraceSpanView; depth: number }[] = (children.get(null) ?? [])
    .slice()
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  const seen = new Set<string>();
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.id)) continue;
    seen.add(span.id);
    const kids = children.get(span.id) ?? [];
    rows.push({
      span,
      depth,
      hasChildren: kids.length > 0,
      startMs: ms(span.start_time) ?? 0,
      endMs: ms(span.end_time),
    });
    if (collapsed.has(span.id)) continue;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  return rows;
}

/** The trace's extent: earliest start to latest end (or start, for spans still running). */
export function extent(spans: TraceSpanView[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    const a = ms(s.start_time);
    const b = ms(s.end_time) ?? a;
    if (a !== null && a < lo) lo = a;
    if (b !== null && b > hi) hi = b;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return [lo, Math.max(hi, lo + 1)];
}
