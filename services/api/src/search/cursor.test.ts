import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, filterDigest } from './cursor.js';

const window = { from: '2026-01-01T00:00:00.000000Z', to: '2026-01-02T00:00:00.000000Z' };
const state = {
  sort: '-start_time' as const,
  key: '2026-01-01T10:00:00.123456Z',
  id: '0190a6f0-0000-7000-8000-000000000001',
  window,
  filter: filterDigest({ tags: { env: 'prod', user: 'u1' } }),
};

describe('search cursors', () => {
  it('round-trip the last key, id and pinned window', () => {
    expect(decodeCursor(encodeCursor(state), { sort: '-start_time', filter: state.filter })).toEqual(state);
  });

  it('digest filters independently of key order, and differently for different filters', () => {
    expect(filterDigest({ tags: { user: 'u1', env: 'prod' } })).toBe(state.filter);
    expect(filterDigest({ tags: { env: 'prod', user: 'u2' } })).not.toBe(state.filter);
  });

  it('refuse a cursor made for another sort or filter, or not made here', () => {
    const cursor = encodeCursor(state);
    expect(() => decodeCursor(cursor, { sort: 'start_time', filter: state.filter })).toThrow(
      /cursor: made for sort/,
    );
    expect(() => decodeCursor(cursor, { sort: '-start_time', filter: 'other' })).toThrow(/another filter/);
    expect(() => decodeCursor('not base64 json', { sort: '-start_time', filter: state.filter })).toThrow(
      /cursor/,
    );
    const forged = Buffer.from(
      JSON.stringify([1, '-start_time', "1' OR 1=1", state.id, window.from, window.to, state.filter]),
    ).toString('base64url');
    expect(() => decodeCursor(forged, { sort: '-start_time', filter: state.filter })).toThrow(/malformed/);
  });
});
