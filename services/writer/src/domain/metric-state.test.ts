import type { MetricEvent } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { applyMetricEvent, type MetricState, metricStateFromRow } from './metric-state.js';

const base = {
  v: 1 as const,
  project_id: '00000000-0000-4000-8000-000000000001',
  id: '00000000-0000-4000-8000-0000000000cc',
  span_id: '00000000-0000-4000-8000-0000000000aa',
  trace_id: '00000000-0000-4000-8000-0000000000bb',
  received_at: '2025-01-01T00:00:00.000000Z',
};
const create: MetricEvent = {
  ...base,
  kind: 'metric.upsert',
  version: 10,
  created_at: '2025-01-01T00:00:00.500000Z',
  fields: { dimension: 'quality_score', value: 4.5, comment: null },
};
const update: MetricEvent = {
  ...base,
  kind: 'metric.patch',
  version: 20,
  fields: { value: 3, comment: 'meh' },
};
const remove: MetricEvent = { ...base, kind: 'metric.delete', version: 30 };

function fold(events: MetricEvent[], start?: MetricState) {
  let s = start;
  for (const e of events) s = applyMetricEvent(s, e).state;
  return s!;
}

describe('applyMetricEvent', () => {
  it('merges an update into its metric, in either order', () => {
    const forward = fold([create, update]).row;
    expect(forward).toMatchObject({ dimension: 'quality_score', value: 3, comment: 'meh', version: 20 });
    expect(forward.created_at).toBe('2025-01-01 00:00:00.500000');
    expect(fold([update, create]).row).toMatchObject({
      dimension: 'quality_score',
      value: 3,
      comment: 'meh',
    });
  });

  it('a redelivered create changes nothing; a delete sticks', () => {
    const s = fold([create, update]);
    expect(applyMetricEvent(s, create).changed).toBe(false);
    expect(fold([remove, create], s).row.deleted).toBe(1);
  });

  it('a pending update reloaded from storage still takes its create', () => {
    const pending = metricStateFromRow(fold([update]).row);
    expect(fold([create], pending).row).toMatchObject({
      dimension: 'quality_score',
      value: 3,
      comment: 'meh',
    });
  });
});
