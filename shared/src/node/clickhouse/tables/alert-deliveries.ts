import type { ClickHouseClient } from '@clickhouse/client';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { clickHouseFromIso } from '../time.js';

export type DeliveryOutcome = 'delivered' | 'failed' | 'gave_up';

/** One attempt to deliver one event to one of its channels (by index). */
export interface AlertDeliveryRow {
  project_id: string;
  rule_id: string;
  event_id: string;
  channel: number;
  channel_type: string;
  attempt: number;
  outcome: DeliveryOutcome;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
  /** ISO. */
  at: string;
}

export async function insertAlertDeliveries(
  client: ClickHouseClient,
  rows: AlertDeliveryRow[],
): Promise<void> {
  if (rows.length === 0) return;
  try {
    await client.insert({
      table: 'alert_deliveries',
      values: rows.map((r) => ({ ...r, at: clickHouseFromIso(r.at) })),
      format: 'JSONEachRow',
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'recording delivery attempts', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

export interface DeliveryProgress {
  eventId: string;
  channel: number;
  attempts: number;
  /** Delivered or given up: nothing left to do. */
  done: boolean;
}

/** Per event and channel: how many attempts were made and whether delivery is finished. */
export async function deliveryProgress(
  client: ClickHouseClient,
  projectIds: string[],
  eventIds: string[],
): Promise<DeliveryProgress[]> {
  if (eventIds.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT event_id, channel, max(attempt) AS attempts,
                     countIf(outcome IN ('delivered', 'gave_up')) > 0 AS done
              FROM alert_deliveries
              WHERE project_id IN {p:Array(UUID)} AND event_id IN {e:Array(UUID)}
              GROUP BY event_id, channel`,
      query_params: { p: [...new Set(projectIds)], e: eventIds },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{
      event_id: string;
      channel: number;
      attempts: number;
      done: number | boolean;
    }>();
    return rows.map((r) => ({
      eventId: r.event_id,
      channel: Number(r.channel),
      attempts: Number(r.attempts),
      done: Boolean(Number(r.done)),
    }));
  } catch (err) {
    throw toClickHouseAppError(err, 'reading delivery progress');
  }
}
