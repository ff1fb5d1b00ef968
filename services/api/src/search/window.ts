import { AppError, ErrorCodes } from '@tracehouse/shared';

/** Default search window: the last 24 hours, so no query scans all history by accident. */
export const defaultWindowMs = 24 * 60 * 60 * 1000;

export interface TimeWindow {
  /** ISO-8601 UTC with microseconds. */
  from: string;
  to: string;
}

const isoMicros = (date: Date) => `${date.toISOString().slice(0, 23)}000Z`;

/** Resolves a filter's window; `now` is pinned on a search's first page and carried by its cursor. */
export function resolveWindow(filter: { from?: string; to?: string }, now: Date): TimeWindow {
  const to = filter.to ?? isoMicros(now);
  const from = filter.from ?? isoMicros(new Date(Date.parse(to) - defaultWindowMs));
  if (from >= to) {
    throw new AppError(ErrorCodes.VALIDATION, 'filter.from: must be before filter.to', {
      details: { field: 'filter.from' },
    });
  }
  return { from, to };
}

/** ISO → the DateTime64 text ClickHouse parses in parameters. */
export const chTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 26).replace('Z', '')}`;
