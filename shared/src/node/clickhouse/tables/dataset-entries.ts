import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { isoFromClickHouse } from '../time.js';
import { definedParams, newestVersion, uuidKeyParams, uuidKeysIn } from './key-sets.js';

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

/** A dataset entry as reads return it (Opper's entry plus where it came from). */
export interface StoredEntry {
  id: string;
  dataset_id: string;
  span_id: string | null;
  /** Never null: the SDKs require strings here ('' when the entry has none). */
  input: string;
  output: string;
  expected: string | null;
  comment: string | null;
  created_at: string;
}

const entryColumns = `toString(entry_id) AS id, toString(dataset_id) AS dataset_text, if(isNull(span_id), NULL, toString(span_id)) AS span_text,
  input, output, expected, comment, formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ') AS created_text`;

interface EntryViewRow {
  id: string;
  dataset_text: string;
  span_text: string | null;
  input: string | null;
  output: string | null;
  expected: string | null;
  comment: string | null;
  created_text: string;
}

const toStoredEntry = (r: EntryViewRow): StoredEntry => ({
  id: r.id,
  dataset_id: r.dataset_text,
  span_id: r.span_text,
  input: r.input ?? '',
  output: r.output ?? '',
  expected: r.expected,
  comment: r.comment,
  created_at: r.created_text,
});

const inDataset = 'project_id = {project:UUID} AND dataset_id = {dataset:UUID}';

/** A dataset's live entries, oldest first, with the total. */
export async function listDatasetEntries(
  client: ClickHouseClient,
  projectId: string,
  datasetId: string,
  page: { limit: number; offset: number },
): Promise<{ total: number; entries: StoredEntry[] }> {
  const params = { project: projectId, dataset: datasetId, ...page };
  try {
    const [rows, total] = await Promise.all([
      client
        .query({
          query: `SELECT ${entryColumns} FROM dataset_entries FINAL WHERE ${inDataset}
                  ORDER BY created_at, entry_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<EntryViewRow>()),
      client
        .query({
          query: `SELECT count() AS n FROM dataset_entries FINAL WHERE ${inDataset}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<{ n: string | number }>()),
    ]);
    return { total: Number(total[0]?.n ?? 0), entries: rows.map(toStoredEntry) };
  } catch (err) {
    throw toClickHouseAppError(err, 'listing dataset entries');
  }
}

export async function readDatasetEntry(
  client: ClickHouseClient,
  projectId: string,
  datasetId: string,
  entryId: string,
): Promise<StoredEntry | undefined> {
  try {
    const rs = await client.query({
      query: `SELECT ${entryColumns} FROM dataset_entries FINAL
              WHERE ${inDataset} AND entry_id = {entry:UUID} LIMIT 1`,
      query_params: { project: projectId, dataset: datasetId, entry: entryId },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<EntryViewRow>();
    return row && toStoredEntry(row);
  } catch (err) {
    throw toClickHouseAppError(err, 'reading a dataset entry');
  }
}

/** Entries whose input, output, expected or comment contains `text` (case-insensitive); newest first. */
export async function queryDatasetEntries(
  client: ClickHouseClient,
  projectId: string,
  datasetId: string,
  text: string,
  limit: number,
): Promise<StoredEntry[]> {
  try {
    const rs = await client.query({
      query: `SELECT ${entryColumns} FROM dataset_entries FINAL
              WHERE ${inDataset}
                AND (positionCaseInsensitiveUTF8(ifNull(input, ''), {text:String}) > 0
                  OR positionCaseInsensitiveUTF8(ifNull(output, ''), {text:String}) > 0
                  OR positionCaseInsensitiveUTF8(ifNull(expected, ''), {text:String}) > 0
                  OR positionCaseInsensitiveUTF8(ifNull(comment, ''), {text:String}) > 0)
              ORDER BY created_at DESC, entry_id LIMIT {limit:UInt32}`,
      query_params: { project: projectId, dataset: datasetId, text, limit },
      format: 'JSONEachRow',
    });
    return (await rs.json<EntryViewRow>()).map(toStoredEntry);
  } catch (err) {
    throw toClickHouseAppError(err, 'querying dataset entries');
  }
}

/** Every live entry of a dataset as a stream of rows (export), oldest first. */
export async function* streamDatasetEntries(
  client: ClickHouseClient,
  projectId: string,
  datasetId: string,
  /** Per-query settings (exports stream past the read client's row cap). */
  settings: Record<string, string | number> = {},
): AsyncGenerator<StoredEntry> {
  let rs: Awaited<ReturnType<ClickHouseClient['query']>>;
  try {
    rs = await client.query({
      query: `SELECT ${entryColumns} FROM dataset_entries FINAL WHERE ${inDataset} ORDER BY created_at, entry_id`,
      query_params: { project: projectId, dataset: datasetId },
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'exporting a dataset');
  }
  for await (const rows of rs.stream()) {
    for (const row of rows) yield toStoredEntry(row.json<EntryViewRow>());
  }
}

/** Newest stored version of a dataset's entries (see `newestVersion`). */
export const newestEntryVersion = (client: ClickHouseClient, projectId: string, datasetId: string) =>
  newestVersion(client, 'dataset_entries', { project_id: projectId, dataset_id: datasetId });

export interface StoredDataset {
  id: string;
  name: string;
  created_at: string;
  entry_count: number;
}

/** Datasets of a project by name (or one name), with their live entry counts. */
export async function listDatasets(
  client: ClickHouseClient,
  projectId: string,
  page: { limit: number; offset: number; name?: string; datasetId?: string },
): Promise<{ total: number; datasets: StoredDataset[] }> {
  const where = `project_id = {project:UUID}${page.name === undefined ? '' : ' AND name = {name:String}'}${
    page.datasetId === undefined ? '' : ' AND dataset_id = {dataset:UUID}'
  }`;
  const params = definedParams({
    project: projectId,
    name: page.name,
    dataset: page.datasetId,
    limit: page.limit,
    offset: page.offset,
  });
  try {
    const [rows, total] = await Promise.all([
      client
        .query({
          // Entry counts come aggregated per dataset, so a dataset without entries joins to 0.
          query: `SELECT toString(d.dataset_id) AS dataset_id, d.name AS name, d.created_at AS created_at, e.n AS n
                  FROM (SELECT dataset_id, name, created_at FROM datasets FINAL WHERE ${where}) AS d
                  LEFT JOIN (SELECT dataset_id, count() AS n FROM dataset_entries FINAL
                             WHERE project_id = {project:UUID} GROUP BY dataset_id) AS e
                    ON e.dataset_id = d.dataset_id
                  ORDER BY d.name, d.dataset_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) =>
          rs.json<{ dataset_id: string; name: string; created_at: string; n: string | number }>(),
        ),
      client
        .query({
          query: `SELECT count() AS n FROM datasets FINAL WHERE ${where}`,
          query_params: params,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json<{ n: string | number }>()),
    ]);
    return {
      total: Number(total[0]?.n ?? 0),
      datasets: rows.map((r) => ({
        id: r.dataset_id,
        name: r.name,
        created_at: isoFromClickHouse(r.created_at),
        entry_count: Number(r.n),
      })),
    };
  } catch (err) {
    throw toClickHouseAppError(err, 'listing datasets');
  }
}
