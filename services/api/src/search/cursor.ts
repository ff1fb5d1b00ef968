import { createHash } from 'node:crypto';
import { AppError, ErrorCodes, type SearchFilter, type SearchSort } from '@tracehouse/shared';
import type { TimeWindow } from './window.js';

/**
 * An opaque keyset cursor: the last row's sort key and id, and the window pinned on the first page.
 * Pages continue strictly after that row, so rows arriving meanwhile never shift a page (no skips, no
 * repeats); the pinned window keeps a default "last 24 h" from sliding between pages.
 */
export interface CursorState {
  sort: SearchSort;
  key: string;
  id: string;
  window: TimeWindow;
  /** The filter it was made for: a cursor is only valid with the same filter. */
  filter: string;
}

/** JSON with object keys sorted at every level, so equal filters digest equally. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const filterDigest = (filter: SearchFilter) =>
  createHash('sha256').update(stableJson(filter)).digest('base64url').slice(0, 16);

export function encodeCursor(state: CursorState): string {
  return Buffer.from(
    JSON.stringify([1, state.sort, state.key, state.id, state.window.from, state.window.to, state.filter]),
  ).toString('base64url');
}

const invalid = (why: string) =>
  new AppError(ErrorCodes.VALIDATION, `cursor: ${why}`, { details: { field: 'cursor' } });

export function decodeCursor(cursor: string, expected: { sort: SearchSort; filter: string }): CursorState {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor from this API');
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== 7 ||
    parts[0] !== 1 ||
    !parts.slice(1).every((x) => typeof x === 'string')
  ) {
    throw invalid('not a cursor from this API');
  }
  const [, sort, key, id, from, to, filter] = parts as string[];
  if (sort !== expected.sort) throw invalid(`made for sort ${sort}, not ${expected.sort}`);
  if (filter !== expected.filter) throw invalid('made for another filter');
  const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
  if (
    !/^[0-9a-f-]{36}$/.test(id!) ||
    !/^[0-9eE+\-.: TZ]{1,40}$/.test(key!) ||
    !time.test(from!) ||
    !time.test(to!)
  ) {
    throw invalid('malformed');
  }
  return { sort: sort as SearchSort, key: key!, id: id!, window: { from: from!, to: to! }, filter };
}
