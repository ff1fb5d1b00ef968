/** ClickHouse's DateTime64 text (`2025-01-01 12:00:00.123456`, UTC columns) as ISO-8601 with `Z`. */
export const isoFromClickHouse = (text: string): string => `${text.replace(' ', 'T')}Z`;

/**
 * ISO-8601 (UTC, `Z`) as the DateTime64 text ClickHouse parses in query parameters and JSON rows;
 * any fraction up to microseconds (`Date#toISOString` gives milliseconds).
 */
export const clickHouseFromIso = (iso: string): string =>
  `${iso.slice(0, 10)} ${iso.slice(11).replace(/Z$/, '').slice(0, 15)}`;
