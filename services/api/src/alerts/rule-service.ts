import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  type AlertRule,
  type AlertRuleCreated,
  AppError,
  CreateAlertRuleRequest,
  ErrorCodes,
  parseInput,
  type UpdateAlertRuleRequest,
} from '@tracehouse/shared';
import {
  type AlertRuleRow,
  clickHouseFromIso,
  getAlertRule,
  insertAlertRule,
  listAlertRules,
} from '@tracehouse/shared/node';

/** Rules per project; evaluation cost grows with them, and a dashboard lists them on one page. */
export const maxRulesPerProject = 500;

const hint = (secret: string) => `…${secret.slice(-4)}`;

export function ruleView(row: AlertRuleRow): AlertRule {
  const spec = JSON.parse(row.spec) as CreateAlertRuleRequest;
  return {
    id: row.rule_id,
    ...spec,
    secret_hint: hint(row.secret),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * Alert rules: control-plane rows written straight to ClickHouse (like datasets), one complete
 * definition per version. The alerter re-reads them every few seconds.
 */
export class AlertRuleService {
  #lastVersion = 0;

  constructor(
    private readonly clickhouse: ClickHouseClient,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Microseconds, strictly increasing in this process, and above the version it replaces. */
  #version(after = 0): number {
    this.#lastVersion = Math.max(this.clock() * 1000, this.#lastVersion + 1, after + 1);
    return this.#lastVersion;
  }

  async create(projectId: string, spec: CreateAlertRuleRequest): Promise<AlertRuleCreated> {
    if ((await listAlertRules(this.clickhouse, projectId)).length >= maxRulesPerProject)
      throw new AppError(ErrorCodes.VALIDATION, `rules: at most ${maxRulesPerProject} per project`, {
        details: { field: 'rules' },
      });
    const now = new Date(this.clock()).toISOString();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const row: AlertRuleRow = {
      project_id: projectId,
      rule_id: randomUUID(),
      spec: JSON.stringify(spec),
      secret,
      created_at: now,
      updated_at: now,
      version: this.#version(),
      deleted: 0,
    };
    await this.#write(row);
    return { ...ruleView(row), secret };
  }

  async list(projectId: string): Promise<{ data: AlertRule[] }> {
    return { data: (await listAlertRules(this.clickhouse, projectId)).map(ruleView) };
  }

  async get(projectId: string, ruleId: string): Promise<AlertRule> {
    return ruleView(await this.#row(projectId, ruleId));
  }

  /** Signing secret and rule, for the test notification. */
  async withSecret(projectId: string, ruleId: string): Promise<{ rule: AlertRule; secret: string }> {
    const row = await this.#row(projectId, ruleId);
    return { rule: ruleView(row), secret: row.secret };
  }

  async update(projectId: string, ruleId: string, changes: UpdateAlertRuleRequest): Promise<AlertRule> {
    const row = await this.#row(projectId, ruleId);
    // The merged rule is validated whole, so cross-field rules (aggregation per signal) still hold.
    const spec = parseInput(CreateAlertRuleRequest, { ...JSON.parse(row.spec), ...changes }, 'body');
    const next: AlertRuleRow = {
      ...row,
      spec: JSON.stringify(spec),
      updated_at: new Date(this.clock()).toISOString(),
      version: this.#version(row.version),
    };
    await this.#write(next);
    return ruleView(next);
  }

  async delete(projectId: string, ruleId: string): Promise<void> {
    const row = await this.#row(projectId, ruleId);
    await this.#write({ ...row, deleted: 1, version: this.#version(row.version) });
  }

  async #row(projectId: string, ruleId: string): Promise<AlertRuleRow> {
    const row = await getAlertRule(this.clickhouse, projectId, ruleId);
    if (!row)
      throw new AppError(ErrorCodes.NOT_FOUND, `rule ${ruleId} not found`, { details: { field: 'rule_id' } });
    return row;
  }

  #write(row: AlertRuleRow): Promise<void> {
    return insertAlertRule(this.clickhouse, {
      ...row,
      created_at: clickHouseFromIso(row.created_at),
      updated_at: clickHouseFromIso(row.updated_at),
    });
  }
}
