import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ErrorCodes } from '../../../errors.js';
import { toClickHouseAppError } from '../errors.js';
import { isoFromClickHouse } from '../time.js';

/** One row of `alert_rules`: a rule's whole definition (`spec`, JSON text) at `version`. */
export const AlertRuleRow = z.object({
  project_id: z.string(),
  rule_id: z.string(),
  spec: z.string(),
  secret: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.union([z.number(), z.string()]).transform(Number),
  deleted: z.number().default(0),
});
export type AlertRuleRow = z.output<typeof AlertRuleRow>;

const fromStored = (r: unknown): AlertRuleRow => {
  const row = AlertRuleRow.parse(r);
  return {
    ...row,
    created_at: isoFromClickHouse(row.created_at),
    updated_at: isoFromClickHouse(row.updated_at),
  };
};

/** Writes a rule state (create, update or delete with `deleted = 1`); times are DateTime64 text. */
export async function insertAlertRule(client: ClickHouseClient, row: AlertRuleRow): Promise<void> {
  try {
    await client.insert({ table: 'alert_rules', values: [row], format: 'JSONEachRow' });
  } catch (err) {
    throw toClickHouseAppError(err, 'writing an alert rule', ErrorCodes.CLICKHOUSE_INSERT);
  }
}

/** A project's live rules, oldest first (a project has tens of rules, not thousands). */
export async function listAlertRules(client: ClickHouseClient, projectId: string): Promise<AlertRuleRow[]> {
  return queryRules(client, 'project_id = {p:UUID}', { p: projectId });
}

export async function getAlertRule(
  client: ClickHouseClient,
  projectId: string,
  ruleId: string,
): Promise<AlertRuleRow | undefined> {
  const [row] = await queryRules(client, 'project_id = {p:UUID} AND rule_id = {r:UUID}', {
    p: projectId,
    r: ruleId,
  });
  return row;
}

/** Every live rule of every project: what the alerter evaluates. */
export async function listAllAlertRules(client: ClickHouseClient): Promise<AlertRuleRow[]> {
  return queryRules(client, '1', {});
}

async function queryRules(
  client: ClickHouseClient,
  where: string,
  params: Record<string, string>,
): Promise<AlertRuleRow[]> {
  try {
    const rs = await client.query({
      query: `SELECT * FROM alert_rules FINAL WHERE ${where} AND deleted = 0 ORDER BY created_at, rule_id LIMIT 10000`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await rs.json<unknown>()).map(fromStored);
  } catch (err) {
    throw toClickHouseAppError(err, 'reading alert rules');
  }
}
