import type { ClickHouseClient } from '@clickhouse/client';

/** Every table that holds a project's data, each keyed by `project_id` first. */
const projectTables = [
  'spans_v2',
  'span_metrics',
  'traces',
  'trace_summaries',
  'trace_index',
  'datasets',
  'dataset_entries',
  'alert_rules',
  'alert_events',
  'alert_deliveries',
] as const;

/**
 * Deletes every row of one project (a mutation per table, waited for), so the sample project leaves
 * nothing behind. The project and its keys are left to the caller.
 */
export async function deleteProjectData(clickhouse: ClickHouseClient, projectId: string): Promise<void> {
  for (const table of projectTables) {
    await clickhouse.command({
      query: 'ALTER TABLE {table:Identifier} DELETE WHERE project_id = {p:UUID}',
      query_params: { table, p: projectId },
      clickhouse_settings: { mutations_sync: '2' },
    });
  }
}
