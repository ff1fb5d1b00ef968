import { z } from 'zod';
import { EventVersion, SchemaVersion, Timestamp, Uuid } from './common.js';
import { Limits } from './limits.js';

/** An entry's content: strings (JSON-encoded when the source was not a string), or null. */
export const DatasetEntryFields = z.object({
  input: z.string().nullable(),
  output: z.string().nullable(),
  expected: z.string().nullable(),
  comment: z.string().max(Limits.commentMaxChars).nullable(),
});
export type DatasetEntryFields = z.infer<typeof DatasetEntryFields>;

const entryEventBase = {
  v: SchemaVersion,
  version: EventVersion,
  project_id: Uuid,
  dataset_id: Uuid,
  /** The entry. */
  id: Uuid,
  received_at: Timestamp,
};

/** Create or overwrite an entry; carries the dataset's name so the writer can register the dataset. */
export const DatasetEntryUpsertEvent = z.object({
  ...entryEventBase,
  kind: z.literal('dataset.entry.upsert'),
  dataset_name: z.string().min(1).max(Limits.nameMaxChars),
  span_id: Uuid.nullable(),
  created_at: Timestamp,
  fields: DatasetEntryFields,
});
export type DatasetEntryUpsertEvent = z.infer<typeof DatasetEntryUpsertEvent>;

export const DatasetEntryPatchEvent = z.object({
  ...entryEventBase,
  kind: z.literal('dataset.entry.patch'),
  fields: DatasetEntryFields.partial(),
});
export type DatasetEntryPatchEvent = z.infer<typeof DatasetEntryPatchEvent>;

export const DatasetEntryDeleteEvent = z.object({
  ...entryEventBase,
  kind: z.literal('dataset.entry.delete'),
});
export type DatasetEntryDeleteEvent = z.infer<typeof DatasetEntryDeleteEvent>;

/** Everything on the datasets topic. */
export const DatasetEvent = z.discriminatedUnion('kind', [
  DatasetEntryUpsertEvent,
  DatasetEntryPatchEvent,
  DatasetEntryDeleteEvent,
]);
export type DatasetEvent = z.infer<typeof DatasetEvent>;
