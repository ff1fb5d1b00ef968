import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseAppError } from '../errors.js';

/**
 * The newest version stored under a key prefix of a versioned table, deleted rows and pending patches
 * included (no FINAL): what a read compares with the newest acknowledged write. 0 when none.
 */
export async function newestVersion(
  client: ClickHouseClient,
  table: 'spans_v2' | 'span_metrics' | 'dataset_entries',
  where: Record<string, string | undefined>,
): Promise<number> {
  const columns = Object.entries(where).filter(([, v]) => v !== undefined);
  try {
    const rs = await client.query({
      query: `SELECT max(version) AS v FROM {table:Identifier}
              WHERE ${columns.map(([c], i) => `${c} = {k${i}:UUID}`).join(' AND ')}`,
      query_params: { table, ...Object.fromEntries(columns.map(([, v], i) => [`k${i}`, v])) },
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ v: string | number }>())[0]?.v ?? 0);
  } catch (err) {
    throw toClickHouseAppError(err, `reading stored versions of ${table}`);
  }
}

/**
 * `(col1, col2, ...) IN <keys>` for a list of composite UUID keys, bound as one `Array(UUID)` query
 * parameter per column (zipped server-side), so no value is ever spliced into SQL text.
 */
export function uuidKeysIn(columns: readonly string[], param = 'key'): string {
  const arrays = columns.map((_, i) => `{${param}${i}:Array(UUID)}`).join(', ');
  const picks = columns.map((_, i) => `k.${i + 1}`).join(', ');
  return `(${columns.join(', ')}) IN (SELECT ${picks} FROM (SELECT arrayJoin(arrayZip(${arrays})) AS k))`;
}

/** The parameters for `uuidKeysIn`: one array per column. */
export function uuidKeyParams(
  keys: readonly (readonly string[])[],
  width: number,
  param = 'key',
): Record<string, string[]> {
  const params: Record<string, string[]> = {};
  for (let i = 0; i < width; i++) params[`${param}${i}`] = keys.map((k) => k[i]!);
  return params;
}

/** Query parameters without the unset ones (the client refuses `undefined` values). */
export function definedParams(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}
