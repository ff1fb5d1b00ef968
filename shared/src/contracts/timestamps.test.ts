import { describe, expect, it } from 'vitest';
import { normalizeTimestamp, timestampMicros } from './timestamps.js';

describe('normalizeTimestamp', () => {
  it('keeps microseconds and marks UTC', () => {
    expect(normalizeTimestamp('2025-01-01T12:00:00.123456Z')).toBe('2025-01-01T12:00:00.123456Z');
    expect(normalizeTimestamp('2025-01-01T12:00:00.123Z')).toBe('2025-01-01T12:00:00.123000Z');
    expect(normalizeTimestamp('2025-01-01T12:00:00Z')).toBe('2025-01-01T12:00:00.000000Z');
  });

  it('treats a zone-less timestamp (Python SDK) as UTC', () => {
    expect(normalizeTimestamp('2025-01-01T12:00:00.123456')).toBe('2025-01-01T12:00:00.123456Z');
  });

  it('converts offsets to UTC, across a day boundary', () => {
    expect(normalizeTimestamp('2025-01-01T01:30:00.5+02:00')).toBe('2024-12-31T23:30:00.500000Z');
    expect(normalizeTimestamp('2025-01-01T23:00:00-0130')).toBe('2025-01-02T00:30:00.000000Z');
  });

  it('cuts nanoseconds instead of rounding into the next second', () => {
    expect(normalizeTimestamp('2025-01-01T12:00:59.999999999Z')).toBe('2025-01-01T12:00:59.999999Z');
  });

  it('rejects what is not a timestamp', () => {
    for (const bad of [
      '',
      'yesterday',
      '2025-13-01T00:00:00Z',
      '2025-02-30T00:00:00Z',
      '2025-01-01T25:00:00Z',
      "2025-01-01' OR 1=1",
    ]) {
      expect(normalizeTimestamp(bad)).toBeUndefined();
    }
  });

  it('reads UTC as an offset of zero would be read, over every edge of the calendar and the clock', () => {
    // `Z` takes the digits as they are; `+00:00` goes through Date.UTC: both must agree everywhere.
    let valid = 0;
    for (const y of ['1899', '1900', '2000', '2024', '2100', '2299', '2300'])
      for (let month = 0; month <= 13; month++)
        for (const d of ['00', '01', '28', '29', '30', '31', '32'])
          for (const time of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60'])
            for (const frac of ['', '.1', ',123456789']) {
              const local = `${y}-${String(month).padStart(2, '0')}-${d}T${time}${frac}`;
              const utc = normalizeTimestamp(`${local}Z`);
              expect(utc, local).toBe(normalizeTimestamp(`${local}+00:00`));
              if (utc !== undefined) valid++;
            }
    expect(valid).toBeGreaterThan(3_000);
  });

  it('gives microseconds since the epoch', () => {
    expect(timestampMicros('1970-01-01T00:00:01.000002Z')).toBe(1_000_002);
  });
});
