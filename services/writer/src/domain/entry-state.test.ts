import type { DatasetEvent } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { applyEntryEvent, entryStateFromRow } from './entry-state.js';

const base = {
  v: 1 as const,
  project_id: '00000000-0000-4000-8000-000000000001',
  dataset_id: '00000000-0000-5000-8000-000000000002',
  id: '00000000-0000-4000-8000-000000000003',
  received_at: '2025-01-01T00:00:00.000000Z',
};
const create: DatasetEvent = {
  ...base,
  kind: 'dataset.entry.upsert',
  version: 10,
  dataset_name: 'golden',
  span_id: '00000000-0000-4000-8000-000000000004',
  created_at: '2025-01-01T00:00:00.000000Z',
  fields: { input: 'q', output: 'a', expected: null, comment: null },
};
const edit: DatasetEvent = {
  ...base,
  kind: 'dataset.entry.patch',
  version: 20,
  fields: { expected: 'A', comment: 'fixed' },
};

describe('applyEntryEvent', () => {
  it('merges an edit into its entry in either order, also after a reload', () => {
    const forward = applyEntryEvent(applyEntryEvent(undefined, create).state, edit).state.row;
    expect(forward).toMatchObject({ input: 'q', output: 'a', expected: 'A', comment: 'fixed', version: 20 });
    const backward = applyEntryEvent(entryStateFromRow(applyEntryEvent(undefined, edit).state.row), create)
      .state.row;
    expect(backward).toMatchObject({
      input: 'q',
      output: 'a',
      expected: 'A',
      comment: 'fixed',
      span_id: create.span_id,
    });
  });

  it('ignores the same event delivered twice', () => {
    const s = applyEntryEvent(undefined, create).state;
    expect(applyEntryEvent(s, create).changed).toBe(false);
  });
});
