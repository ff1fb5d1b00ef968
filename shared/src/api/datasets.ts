import { z } from 'zod';
import { Uuid } from '../contracts/common.js';
import { Limits } from '../contracts/limits.js';
import { PageQuery, ZonedTimestamp } from './opper-reads.js';

/** Entry fields are any JSON; non-strings are stored as their JSON text (the contract reads strings). */
const entryField = z.unknown();

/** `POST /v2/datasets/{dataset_id}`: a new entry. */
export const CreateDatasetEntryRequest = z.object({
  input: entryField.optional(),
  output: entryField.optional(),
  expected: entryField.optional(),
  comment: z.string().max(Limits.commentMaxChars).nullish(),
});
export type CreateDatasetEntryRequest = z.output<typeof CreateDatasetEntryRequest>;

/** `PATCH /v2/datasets/{dataset_id}/entries/{entry_id}`: any of the four. */
export const UpdateDatasetEntryRequest = CreateDatasetEntryRequest;
export type UpdateDatasetEntryRequest = CreateDatasetEntryRequest;

/** `POST /v2/datasets/{dataset_id}/entries/query?query&limit`: text match over the entry fields. */
export const DatasetEntryQuery = z.object({
  query: z.string().max(1_024).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

/** `POST /v2/datasets`: our extension, a dataset by name (its id is derived from project and name). */
export const CreateDatasetRequest = z.object({ name: z.string().min(1).max(Limits.nameMaxChars) });

export const DatasetListQuery = PageQuery.extend({
  name: z.string().min(1).max(Limits.nameMaxChars).optional(),
});

export const DatasetView = z.object({
  id: Uuid,
  name: z.string(),
  created_at: ZonedTimestamp,
  entry_count: z.number().int(),
});
export type DatasetView = z.infer<typeof DatasetView>;
