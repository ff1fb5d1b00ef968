import type {
  SpanView,
  TraceDetail,
  TraceListItem,
  TraceSpanView,
  TraceSummary,
  TraceTreeNode,
} from '@tracehouse/shared';
import {
  isoFromClickHouse,
  type SpanRow,
  type StoredMetric,
  type TraceListRow,
  type TraceRow,
  tracePreviewChars,
} from '@tracehouse/shared/node';

/** Stored rows → API shapes. Stored JSON text is parsed back; times get their zone. */

/** Stored JSON text back to a value; text that is not JSON (written by something else) as itself. */
function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
const micros = (text: string) =>
  Date.parse(`${isoFromClickHouse(text).slice(0, 23)}Z`) * 1000 + Number(text.slice(23, 26) || 0);

function durationMs(start: string, end: string | null): number | null {
  if (end === null) return null;
  return (micros(end) - micros(start)) / 1000;
}

function metaOf(meta: Record<string, string>): Record<string, unknown> | null {
  const entries = Object.entries(meta);
  return entries.length === 0 ? null : Object.fromEntries(entries.map(([k, v]) => [k, parseJson(v)]));
}

/** Opper's score is an integer; stored as a float so our extensions can hold any number. */
const intOrNull = (n: number | null) => (n === null ? null : Math.round(n));

export function spanView(r: SpanRow): SpanView {
  return {
    id: r.span_id,
    name: r.name,
    trace_id: r.trace_id,
    parent_id: r.parent_id,
    type: r.type || null,
    start_time: isoFromClickHouse(r.start_time),
    end_time: r.end_time === null ? null : isoFromClickHouse(r.end_time),
    input: parseJson(r.input),
    output: parseJson(r.output),
    error: r.error,
    meta: metaOf(r.meta),
    score: intOrNull(r.score),
    feedback:
      r.feedback_score === null && r.feedback_comment === null
        ? null
        : { score: r.feedback_score, comment: r.feedback_comment },
    tags: r.tags,
    status: r.status as SpanView['status'],
    duration_ms: durationMs(r.start_time, r.end_time),
    model: r.model || null,
    usage: {
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      total_tokens: r.total_tokens,
    },
    cost: r.cost,
  };
}

/** Contract strings: a JSON string as itself, any other JSON value as its text. */
function asText(json: string | null): string | null {
  if (json === null) return null;
  const value = parseJson(json);
  return typeof value === 'string' ? value : json;
}

export function traceSpanView(r: SpanRow, metrics: StoredMetric[]): TraceSpanView {
  const duration = durationMs(r.start_time, r.end_time);
  return {
    id: r.span_id,
    name: r.name,
    start_time: isoFromClickHouse(r.start_time),
    end_time: r.end_time === null ? null : isoFromClickHouse(r.end_time),
    type: r.type || null,
    parent_id: r.parent_id,
    duration_ms: duration === null ? null : Math.round(duration),
    error: r.error,
    meta: metaOf(r.meta),
    score: intOrNull(r.score),
    data: {
      input: asText(r.input),
      output: asText(r.output),
      total_tokens: r.total_tokens,
      model: r.model || null,
      tags: Object.entries(r.tags).map(([k, v]) => `${k}:${v}`),
    },
    metrics: metrics.map(({ span_id: _, ...m }) => m),
  };
}

export function traceSummaryView(r: TraceRow): TraceSummary {
  return {
    id: r.trace_id,
    name: r.name || null,
    start_time: isoFromClickHouse(r.start_time),
    end_time: r.end_time === null ? null : isoFromClickHouse(r.end_time),
    duration_ms: r.duration_ms === null ? null : Math.round(r.duration_ms),
    status: r.status,
    input: asText(r.input),
    output: asText(r.output),
    total_tokens: Number(r.total_tokens),
    root_span_id: r.root_span_id,
    span_count: r.span_count,
    error_count: r.error_count,
    total_cost: r.total_cost,
    tags: r.tags,
  };
}

/** A row of `trace_index` as a search result: previews of the root's input and output. */
export function traceListItemView(r: TraceListRow): TraceListItem {
  return {
    ...traceSummaryView({ ...r, input: null, output: null }),
    input: r.input_preview,
    output: r.output_preview,
    input_truncated: r.input_truncated === 1,
    output_truncated: r.output_truncated === 1,
  };
}

/** A summary as a search result, cut as `trace_index` cuts it (in code points, as `substringUTF8`). */
export function traceListItemFromSummary(r: TraceRow): TraceListItem {
  const summary = traceSummaryView(r);
  const input = preview(summary.input);
  const output = preview(summary.output);
  return {
    ...summary,
    input: input.text,
    output: output.text,
    input_truncated: input.truncated,
    output_truncated: output.truncated,
  };
}

function preview(text: string | null): { text: string | null; truncated: boolean } {
  if (text === null || text.length <= tracePreviewChars) return { text, truncated: false };
  const chars = Array.from(text);
  return chars.length <= tracePreviewChars
    ? { text, truncated: false }
    : { text: chars.slice(0, tracePreviewChars).join(''), truncated: true };
}

/**
 * A trace read whole: the summary is computed from its spans (as the writer's refresh does), so a
 * trace just written never shows a summary older than its spans.
 */
export function traceDetail(
  traceId: string,
  spans: SpanRow[],
  metrics: StoredMetric[],
  tree: boolean,
): TraceDetail {
  const bySpan = new Map<string, StoredMetric[]>();
  for (const m of metrics) {
    const list = bySpan.get(m.span_id);
    if (list) list.push(m);
    else bySpan.set(m.span_id, [m]);
  }
  // Root: the span without a parent (earliest if several), else the earliest span.
  const root = [...spans].sort(
    (a, b) =>
      Number(a.parent_id !== null) - Number(b.parent_id !== null) || a.start_time.localeCompare(b.start_time),
  )[0];
  // ClickHouse's time text sorts like the times it stands for.
  const start = spans.map((s) => s.start_time).sort()[0] ?? '';
  const end =
    spans
      .map((s) => s.end_time)
      .filter((e): e is string => e !== null)
      .sort()
      .at(-1) ?? null;
  const errors = spans.filter((s) => s.status === 'error').length;
  const tags: Record<string, string> = {};
  for (const s of spans) Object.assign(tags, s.tags);
  Object.assign(tags, root?.tags);
  const duration = durationMs(start, end);
  const views = spans.map((s) => traceSpanView(s, bySpan.get(s.span_id) ?? []));
  return {
    id: traceId,
    name: root?.name ?? null,
    start_time: start ? isoFromClickHouse(start) : null,
    end_time: end === null ? null : isoFromClickHouse(end),
    duration_ms: duration === null ? null : Math.round(duration),
    status: errors > 0 ? 'error' : spans.every((s) => s.end_time !== null) ? 'ok' : 'unset',
    input: root ? asText(root.input) : null,
    output: root ? asText(root.output) : null,
    total_tokens: spans.reduce((sum, s) => sum + s.total_tokens, 0),
    root_span_id: root?.span_id ?? null,
    span_count: spans.length,
    error_count: errors,
    total_cost: spans.reduce((sum, s) => sum + (s.cost ?? 0), 0),
    tags,
    spans: views,
    ...(tree ? { tree: nest(views) } : {}),
  };
}

/** Spans under their parents, in start order; a span whose parent is missing becomes a root. */
export function nest(spans: TraceSpanView[]): TraceTreeNode[] {
  const nodes = new Map(spans.map((s) => [s.id, { ...s, children: [] as TraceTreeNode[] }]));
  const roots: TraceTreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id === null ? undefined : nodes.get(node.parent_id);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The first spans (as read, oldest first) whose stored text stays within `maxBytes`; at least one. */
export function spansWithinBytes(spans: SpanRow[], maxBytes: number): SpanRow[] {
  let bytes = 0;
  for (const [i, span] of spans.entries()) {
    bytes += Buffer.byteLength(JSON.stringify(span));
    if (i > 0 && bytes > maxBytes) return spans.slice(0, i);
  }
  return spans;
}
