import type { ClickHouseClient } from '@clickhouse/client';
import {
  type AlertEventRow,
  isoFromClickHouse,
  type Logger,
  lastAlertEvents,
  listAllAlertRules,
  loadSpanRows,
} from '@tracehouse/shared/node';
import { type SpanKey, spanKey } from '../domain/aggregator.js';
import { identityOf, type LiveRule, StoredRuleSpec } from '../domain/rule-book.js';
import { emptySpanAttrs, mergeSpanFields, type SpanAttrs } from '../domain/span-attrs.js';

/** Every live rule; a stored rule that no longer parses is skipped with a warning, never fatal. */
export async function loadLiveRules(client: ClickHouseClient, logger: Logger): Promise<LiveRule[]> {
  const rules: LiveRule[] = [];
  for (const row of await listAllAlertRules(client)) {
    const spec = StoredRuleSpec.safeParse(JSON.parse(row.spec));
    if (!spec.success) {
      logger.warn({ ruleId: row.rule_id, issues: spec.error.issues.slice(0, 3) }, 'stored rule skipped');
      continue;
    }
    rules.push({
      ...spec.data,
      id: row.rule_id,
      projectId: row.project_id,
      secret: row.secret,
      version: row.version,
      identity: identityOf(spec.data),
    });
  }
  return rules;
}

/** Stored spans' attributes by `project:span` key (rows that are only pending patches are skipped). */
export async function lookupSpans(
  client: ClickHouseClient,
  keys: SpanKey[],
): Promise<Map<string, SpanAttrs>> {
  const found = new Map<string, SpanAttrs>();
  for (let i = 0; i < keys.length; i += 1_000) {
    for (const r of await loadSpanRows(client, keys.slice(i, i + 1_000))) {
      if (!r.name || r.deleted) continue;
      found.set(
        spanKey({ projectId: r.project_id, spanId: r.span_id }),
        mergeSpanFields(emptySpanAttrs(), {
          name: r.name,
          type: r.type || null,
          tags: r.tags,
          status: r.status as 'ok',
          error: r.error,
          start_time: isoFromClickHouse(r.start_time),
          end_time: r.end_time ? isoFromClickHouse(r.end_time) : null,
          usage: {
            prompt_tokens: r.prompt_tokens,
            completion_tokens: r.completion_tokens,
            total_tokens: r.total_tokens,
          },
          cost: r.cost,
        }),
      );
    }
  }
  return found;
}

export const lastEventsOf = (client: ClickHouseClient, rules: LiveRule[]): Promise<AlertEventRow[]> =>
  lastAlertEvents(
    client,
    rules.map((r) => ({ projectId: r.projectId, ruleId: r.id })),
  );
