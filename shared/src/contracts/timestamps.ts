/**
 * Normalises an ISO-8601 timestamp to UTC with microseconds, `2025-01-01T12:00:00.123456Z`.
 * A zone-less value is UTC (the Python SDK sends naive datetimes). Digits past microseconds are cut,
 * not rounded, so the result never moves into the next second. Returns undefined when unparseable.
 */
export function normalizeTimestamp(value: string): string | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/.exec(
      value.trim(),
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const offsetMinutes =
    zone === 'Z' || zone === 'z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  // Date.UTC silently rolls 2025-02-30 over into March; a real calendar date must survive unchanged.
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23)
    return undefined;
  const utc = new Date(ms - offsetMinutes * 60_000);
  if (Number.isNaN(utc.getTime()) || utc.getUTCFullYear() < 1900 || utc.getUTCFullYear() > 2299)
    return undefined;
  const micros = frac.padEnd(6, '0').slice(0, 6);
  return `${utc.toISOString().slice(0, 19)}.${micros}Z`;
}

/** Microseconds since the epoch of a normalised timestamp. */
export function timestampMicros(normalized: string): number {
  return Date.parse(`${normalized.slice(0, 19)}Z`) * 1000 + Number(normalized.slice(20, 26));
}
