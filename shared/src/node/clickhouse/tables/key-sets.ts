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
