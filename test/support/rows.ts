import type { SpanRow } from '@tracehouse/shared/node';

/** ClickHouse text of the moment the test rows are stored at. */
export const storedAt = '2026-01-01 00:00:00.000000';

/**
 * A `spans` row as a writer stores it (empty fields at their defaults), with the fields a test sets;
 * for tests that write to ClickHouse directly, as an earlier version or a fill would have.
 */
export function storedSpanRow(
  ids: { project: string; trace: string; span: string },
  fields: Partial<SpanRow> = {},
): SpanRow {
  return {
    project_id: ids.project,
    trace_id: ids.trace,
    span_id: ids.span,
    parent_id: null,
    name: '',
    type: '',
    start_time: storedAt,
    end_time: null,
    status: 'unset',
    error: null,
    input: null,
    output: null,
    meta: {},
    tags: {},
    model: '',
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    cost: null,
    score: null,
    feedback_score: null,
    feedback_comment: null,
    received_at: storedAt,
    version: 1_000,
    deleted: 0,
    ...fields,
  };
}
