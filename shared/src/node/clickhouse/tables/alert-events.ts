import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import type { AlertEvent } from '../../../api/alerts.js';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { clickHouseFromIso, isoFromClickHouse } from '../time.js';
import { uuidKeyParams, uuidKeysIn } from './key-sets.js';

/** One row of `alert_events` (times as ISO on the way out, DateTime64 text on the way in). */
export const AlertEventRow = z.object({
  project_id: z.string(),
  rule_id: z.string(),
  seq: z.union([z.number(), z.string()]).transform(Number),
  event_id: z.string(),
  kind: z.string(),
  severity: z.string(),
  rule_name: z.string(),
  value: z.number().nullable(),
  threshold: z.number(),
  comparator: z.string(),
  aggregation: z.string(),
  /** JSON text of the rule's source. */
  source: z.string(),
  window_seconds: z.number(),
  window_start: z.string(),
  window_end: z.string(),
  at: z.string(),
  sample_trace_ids: z.array(z.string()),
  /** JSON text of the rule's channels at the transition. */
  channels: z.string(),
});
export type AlertEventRow = z.output<typeof AlertEventRow>;

const timeColumns = ['window_start', 'window_end', 'at'] as const;

const fromStored = (r: unknown): AlertEventRow => {
  const row = AlertEventRow.parse(r);
  for (const c of timeColumns) row[c] = isoFromClickHouse(row[c]);
  return row;
};

/** Rows carry ISO times; they are stored as DateTime64 text. */
export async function insertAlertEvents(client: ClickHouseClient, rows: AlertEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({
    ...r,
    window_start: clickHouseFromIso(r.window_start),
    window_end: clickHouseFromIso(r.window_end),
    at: clickHouseFromIso(r.at),
  }));
  try {
    await client.insert({ table: 'alert_events', values, format: 'JSONEachRow' });
  } catch (err) {
    throw toClickHouseAppError(err, 'storing alert events', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

/** The newest event of each given rule: where a rule's new owner takes its state from. */
export async function lastAlertEvents(
  client: ClickHouseClient,
  rules: { projectId: string; ruleId: string }[],
): Promise<AlertEventRow[]> {
  if (rules.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT * FROM alert_events FINAL WHERE ${uuidKeysIn(['project_id', 'rule_id'])}
              ORDER BY seq DESC LIMIT 1 BY project_id, rule_id`,
      query_params: uuidKeyParams(
        rules.map((r) => [r.projectId, r.ruleId]),
        2,
      ),
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map(fromStored);
  } catch (err) {
    throw toClickHouseAppError(err, 'reading the last alert events');
  }
}

/** Events of the given rules since `sinceIso`: what may still need delivering after a handover. */
export async function recentAlertEvents(
  client: ClickHouseClient,
  rules: { projectId: string; ruleId: string }[],
  sinceIso: string,
): Promise<AlertEventRow[]> {
  if (rules.length === 0) return [];
  try {
    const rs = await client.query({
      query: `SELECT * FROM alert_events FINAL
              WHERE ${uuidKeysIn(['project_id', 'rule_id'])} AND at >= {since:DateTime64(6, 'UTC')}
              ORDER BY at LIMIT 10000`,
      query_params: {
        ...uuidKeyParams(
          rules.map((r) => [r.projectId, r.ruleId]),
          2,
        ),
        since: clickHouseFromIso(sinceIso),
      },
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map(fromStored);
  } catch (err) {
    throw toClickHouseAppError(err, 'reading recent alert events');
  }
}

export interface AlertEventFilter {
  ruleId?: string;
  kind?: string;
  severity?: string;
  from?: string;
  to?: string;
  /** Keyset: strictly older than this (at, event id). */
  before?: { at: string; eventId: string };
  limit: number;
}

/** A project's events, newest first. */
export async function listAlertEvents(
  client: ClickHouseClient,
  projectId: string,
  f: AlertEventFilter,
): Promise<AlertEventRow[]> {
  const where = ['project_id = {p:UUID}'];
  const params: Record<string, unknown> = { p: projectId, limit: f.limit };
  const add = (condition: string, name: string, value: unknown) => {
    where.push(condition);
    params[name] = value;
  };
  if (f.ruleId) add('rule_id = {rule:UUID}', 'rule', f.ruleId);
  if (f.kind) add('kind = {kind:String}', 'kind', f.kind);
  if (f.severity) add('severity = {sev:String}', 'sev', f.severity);
  if (f.from) add(`at >= {from:DateTime64(6, 'UTC')}`, 'from', clickHouseFromIso(f.from));
  if (f.to) add(`at < {to:DateTime64(6, 'UTC')}`, 'to', clickHouseFromIso(f.to));
  if (f.before) {
    where.push(`(at, event_id) < ({bat:DateTime64(6, 'UTC')}, {bid:UUID})`);
    params.bat = clickHouseFromIso(f.before.at);
    params.bid = f.before.eventId;
  }
  try {
    const rs = await client.query({
      query: `SELECT * FROM alert_events FINAL WHERE ${where.join(' AND ')}
              ORDER BY at DESC, event_id DESC LIMIT {limit:UInt32}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map(fromStored);
  } catch (err) {
    throw toClickHouseAppError(err, 'listing alert events');
  }
}

/** A stored event as the API returns it and as webhooks carry it. */
export function alertEventView(row: AlertEventRow): AlertEvent {
  return {
    id: row.event_id,
    rule_id: row.rule_id,
    rule_name: row.rule_name,
    seq: row.seq,
    kind: row.kind as AlertEvent['kind'],
    severity: row.severity as AlertEvent['severity'],
    value: row.value,
    threshold: row.threshold,
    comparator: row.comparator as AlertEvent['comparator'],
    aggregation: row.aggregation as AlertEvent['aggregation'],
    source: JSON.parse(row.source) as AlertEvent['source'],
    window_seconds: row.window_seconds,
    window_start: row.window_start,
    window_end: row.window_end,
    at: row.at,
    sample_trace_ids: row.sample_trace_ids,
  };
}
