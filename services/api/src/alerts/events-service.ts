import type { ClickHouseClient } from '@clickhouse/client';
import { type AlertEventsPage, type AlertEventsQuery, AppError, ErrorCodes } from '@tracehouse/shared';
import { alertEventView, listAlertEvents } from '@tracehouse/shared/node';
import { z } from 'zod';

const Cursor = z.object({ at: z.iso.datetime(), id: z.uuid() });

const badCursor = () =>
  new AppError(ErrorCodes.VALIDATION, 'cursor: not a cursor from this list', {
    details: { field: 'cursor' },
  });

function decode(cursor: string): { at: string; eventId: string } {
  try {
    const c = Cursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { at: c.at, eventId: c.id };
  } catch {
    throw badCursor();
  }
}

/**
 * Alert events, newest first, paged by keyset on (at, id): events stored between two pages land
 * before the first page and never shift later ones.
 */
export async function listEvents(
  clickhouse: ClickHouseClient,
  projectId: string,
  q: AlertEventsQuery,
): Promise<AlertEventsPage> {
  const rows = await listAlertEvents(clickhouse, projectId, {
    ruleId: q.rule_id,
    kind: q.kind,
    severity: q.severity,
    from: q.from,
    to: q.to,
    before: q.cursor ? decode(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    data: page.map(alertEventView),
    next_cursor:
      rows.length > q.limit && last
        ? Buffer.from(JSON.stringify({ at: last.at, id: last.event_id })).toString('base64url')
        : null,
  };
}
