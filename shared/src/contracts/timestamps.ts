/**
 * Normalises an ISO-8601 timestamp to UTC with microseconds, `2025-01-01T12:00:00.123456Z`.
 * A zone-less value is UTC (the Python SDK sends naive datetimes). Digits past microseconds are cut,
 * not rounded, so the result never moves into the next second. Returns undefined when unparseable.
 */
export function normalizeTimestamp(value: string): string | undefined {
  const m = isoPattern.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  // What SDKs send (UTC, every field in range) is written out from its digits: the same result as
  // the general path below, in about a third of the time (two timestamps on every span written).
  if (
    (zone === 'Z' || zone === 'z') &&
    y! >= '1900' &&
    y! <= '2299' &&
    mi! <= '59' &&
    s! <= '59' &&
    h! <= '23'
  ) {
    const month = Number(mo);
    if (month < 1 || month > 12 || d! < '01' || Number(d) > daysIn(Number(y), month)) return undefined;
    return `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(6, '0').slice(0, 6)}Z`;
  }
  return inUtc(y!, mo!, d!, h!, mi!, s!, frac, zone);
}

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** The general path: any zone, and fields out of range (a minute of 60 rolls over, as Date.UTC does). */
function inUtc(
  y: string,
  mo: string,
  d: string,
  h: string,
  mi: string,
  s: string,
  frac: string,
  zone: string,
) {
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
