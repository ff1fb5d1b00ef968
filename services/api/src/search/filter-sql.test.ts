import { describe, expect, it } from 'vitest';
import { autoInterval } from './analytics-service.js';
import { spanConditions, traceConditions } from './filter-sql.js';
import { SqlParams } from './sql-params.js';
import { resolveWindow } from './window.js';

const project = '0190a6f0-0000-7000-8000-000000000001';
const window = { from: '2026-01-01T00:00:00.000000Z', to: '2026-01-02T00:00:00.000000Z' };
const hostile = "x' OR 1=1; DROP TABLE spans --";

describe('filter SQL', () => {
  it('binds every value as a parameter: nothing from the filter reaches the SQL text', () => {
    const p = new SqlParams();
    const sql = spanConditions(
      {
        tags: { [hostile]: hostile },
        tag_keys: [hostile],
        name: hostile,
        type: hostile,
        meta: { [hostile]: hostile },
        metric: { dimension: hostile, min: 1 },
      },
      project,
      window,
      p,
    ).join(' AND ');
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain('1=1');
    expect(Object.values(p.values)).toContain(hostile);
    expect(Object.values(p.values)).toContain(JSON.stringify(hostile)); // meta values are JSON text
  });

  it('turns span criteria of a trace search into "has a matching span"', () => {
    const p = new SqlParams();
    const sql = traceConditions({ type: 'tool', has_error: true }, project, window, p).join(' AND ');
    expect(sql).toContain('trace_id IN (SELECT trace_id FROM spans_v2 FINAL WHERE');
    expect(sql).toContain('isNotNull(error)');
  });
});

describe('search windows', () => {
  it('default to the 24 hours before now, and refuse from >= to naming the field', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    expect(resolveWindow({}, now)).toEqual({
      from: '2026-02-28T12:00:00.000000Z',
      to: '2026-03-01T12:00:00.000000Z',
    });
    expect(() => resolveWindow({ from: window.to, to: window.from }, now)).toThrow(/filter.from/);
  });

  it('pick about 60 buckets on a round interval', () => {
    expect(autoInterval(24 * 3600_000)).toBe(1800);
    expect(autoInterval(3600_000)).toBe(60);
    expect(autoInterval(60_000)).toBe(1);
  });
});
