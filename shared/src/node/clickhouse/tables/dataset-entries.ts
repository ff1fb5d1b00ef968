import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { uuidKeyParams, uuidKeysIn } from './key-sets.js';

/** One row of `dataset_entries`: a complete entry at `version`. */
export const DatasetEntryRow = z.object({
  project_id: z.string(),
  dataset_id: z.string(),
  entry_id: z.string(),
  span_id: z.string().nullable(),
  input: z.string().nullable(),
  output: z.string().nullable(),
  expected: z.string().nullable(),
  comment: z.string().nullable(),
  created_at: z.string(),
  version: z.union([z.number(), z.string()]),
  deleted: z.number(),
});
export type DatasetEntryRow = z.infer<typeof DatasetEntryRow>;

export interface DatasetRow {
  project_id: string;
  dataset_id: string;
  name: string;
  created_at: string;
  version: number;
}

export async function insertDatasetEntries(client: ClickHouseClient, rows: DatasetEntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    await client.insert({ table: 'dataset_entries', values: rows, format: 'JSONEachRow' });
  } catch (err) {
    throw toClickHouseAppError(err, 'inserting dataset entries', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

/**
 * Registers datasets by name. Rewriting a known dataset is harmless: the row is the same but for its
 * version, and `created_at` is the first entry's time (callers pass the oldest they saw).
 */
export async function insertDatasets(client: ClickHouseClient, rows: DatasetRow[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    await client.insert({ table: 'datasets', values: rows, format: 'JSONEachRow' });
  } catch (err) {
    throw toClickHouseAppError(err, 'registering datasets', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

/** Current rows of the given entries, for the writer to merge events into. */
export async function loadDatasetEntryRows(
  client: ClickHouseClient,
  keys: { projectId: string; datasetId: string; entryId: string }[],
): Promise<DatasetEntryRow[]> {
  if (keys.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT * FROM dataset_entries FINAL WHERE ${uuidKeysIn(['project_id', 'dataset_id', 'entry_id'])}`,
      query_params: uuidKeyParams(
        keys.map((k) => [k.projectId, k.datasetId, k.entryId]),
        3,
      ),
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map((r) => DatasetEntryRow.parse(r));
  } catch (err) {
    throw toClickHouseAppError(err, 'loading dataset entries to merge');
  }
}
