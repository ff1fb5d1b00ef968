import { describe, expect, it } from 'vitest';
import { filterQuery, searchFilter, tagsOf } from '../src/filters/filter.js';

describe('URL filters', () => {
  it('turn every URL parameter into the API filter', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const params = new URLSearchParams(
      'range=1h&tag=env%3Dprod&tag=team%3Da%3Db&name=chat&status=error&errors=1&dmin=100&dmax=2000&metric=quality&mmin=0.5&span=x',
    );
    expect(searchFilter(params, now)).toEqual({
      from: '2026-01-01T11:00:00.000Z',
      to: '2026-01-01T12:00:00.000Z',
      tags: { env: 'prod', team: 'a=b' },
      name: 'chat',
      status: 'error',
      has_error: true,
      min_duration_ms: 100,
      max_duration_ms: 2000,
      metric: { dimension: 'quality', min: 0.5 },
    });
  });

  it('default to the last 24 hours, ignore junk, and keep only filters when moving between pages', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    const params = new URLSearchParams(
      'range=nonsense&status=weird&dmin=abc&tag=novalue&span=1&sort=duration_ms',
    );
    expect(searchFilter(params, now)).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
    });
    expect(tagsOf(params)).toEqual([]);
    expect(filterQuery(new URLSearchParams('range=1h&tag=a%3D1&span=1&live=1'))).toBe('?range=1h&tag=a%3D1');
  });

  it('use a custom range as given', () => {
    const params = new URLSearchParams('range=custom&from=2026-01-01T10:00:00Z&to=2026-01-01T11:00:00Z');
    expect(searchFilter(params)).toEqual({
      from: '2026-01-01T10:00:00.000Z',
      to: '2026-01-01T11:00:00.000Z',
    });
  });
});
