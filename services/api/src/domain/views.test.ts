import { type TraceRow, tracePreviewChars } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { traceListItemFromSummary } from './views.js';

const summary = (input: string | null, output: string | null): TraceRow => ({
  trace_id: '00000000-0000-4000-8000-000000000001',
  root_span_id: null,
  name: 'root',
  start_time: '2025-01-01 00:00:00.000000',
  end_time: null,
  duration_ms: null,
  status: 'unset',
  span_count: 1,
  error_count: 0,
  total_tokens: 0,
  total_cost: 0,
  input,
  output,
  tags: {},
});

describe('traceListItemFromSummary', () => {
  it('cuts the texts the API shows to the preview length in characters, as trace_index does', () => {
    // 😀 is two UTF-16 units and one character: a cut by units would split it.
    const long = `${'😀'.repeat(tracePreviewChars)}tail`;
    const item = traceListItemFromSummary(summary(JSON.stringify(long), JSON.stringify({ a: 1 })));
    expect(item.input).toBe('😀'.repeat(tracePreviewChars));
    expect(item.input_truncated).toBe(true);
    // Any other JSON value is shown as its text, whole when it is short.
    expect(item.output).toBe('{"a":1}');
    expect(item.output_truncated).toBe(false);
  });

  it('keeps a text of exactly the preview length whole, and null as null', () => {
    const exact = 'x'.repeat(tracePreviewChars);
    const item = traceListItemFromSummary(summary(JSON.stringify(exact), null));
    expect(item).toMatchObject({
      input: exact,
      input_truncated: false,
      output: null,
      output_truncated: false,
    });
  });
});
