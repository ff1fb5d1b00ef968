import type { SpanView, TraceSummary } from '@tracehouse/shared';

/** Export columns, in order; nested values (input, output, meta, tags, usage) as JSON text. */
export const spanCsvColumns = [
  'id',
  'trace_id',
  'parent_id',
  'name',
  'type',
  'status',
  'start_time',
  'end_time',
  'duration_ms',
  'error',
  'model',
  'score',
  'cost',
  'tags',
  'meta',
  'usage',
  'feedback',
  'input',
  'output',
] as const;

export const traceCsvColumns = [
  'id',
  'name',
  'status',
  'start_time',
  'end_time',
  'duration_ms',
  'span_count',
  'error_count',
  'total_tokens',
  'total_cost',
  'root_span_id',
  'tags',
  'input',
  'output',
] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A leading =, +, - or @ would run as a formula in spreadsheets; a quote-prefixed apostrophe defuses it.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(row: SpanView | TraceSummary, columns: readonly string[]): string {
  const record = row as unknown as Record<string, unknown>;
  return `${columns.map((c) => csvField(record[c])).join(',')}\r\n`;
}
