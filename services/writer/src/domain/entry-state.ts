import type { DatasetEvent } from '@tracehouse/shared';
import type { DatasetEntryRow } from '@tracehouse/shared/node';
import { fieldClaims } from './field-claims.js';
import { toClickHouseTime } from './span-state.js';

/** A dataset entry being merged, with the version that last set each field (as for spans). */
export interface EntryState {
  row: DatasetEntryRow;
  versions: Map<string, number>;
}

const contentFields = ['input', 'output', 'expected', 'comment'] as const;

export function entryStateFromRow(row: DatasetEntryRow): EntryState {
  const version = Number(row.version);
  const versions = new Map<string, number>([['deleted', version]]);
  for (const key of contentFields) if (row[key] !== null) versions.set(key, version);
  if (row.span_id !== null) versions.set('created', version);
  return { row: { ...row }, versions };
}

export function applyEntryEvent(
  state: EntryState | undefined,
  event: DatasetEvent,
): { state: EntryState; changed: boolean } {
  const s = state ?? {
    row: {
      project_id: event.project_id,
      dataset_id: event.dataset_id,
      entry_id: event.id,
      span_id: null,
      input: null,
      output: null,
      expected: null,
      comment: null,
      created_at: toClickHouseTime(event.received_at),
      version: 0,
      deleted: 0,
    },
    versions: new Map<string, number>(),
  };
  const claims = fieldClaims(s.versions, event.version);
  if (event.kind === 'dataset.entry.delete') {
    if (claims.claim('deleted')) s.row.deleted = 1;
  } else {
    if (event.kind === 'dataset.entry.upsert') {
      if (claims.claim('deleted')) s.row.deleted = 0;
      if (claims.claim('created')) {
        s.row.span_id = event.span_id;
        s.row.created_at = toClickHouseTime(event.created_at);
      }
    }
    for (const key of contentFields) {
      const value = event.fields[key];
      if (value !== undefined && claims.claim(key)) s.row[key] = value;
    }
  }
  if (claims.changed) s.row.version = Math.max(Number(s.row.version), event.version);
  return { state: s, changed: claims.changed };
}
