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

  it('gives microseconds since the epoch', () => {
    expect(timestampMicros('1970-01-01T00:00:01.000002Z')).toBe(1_000_002);
  });
});
