import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { clickHouseFromIso, insertAlertRule } from '@tracehouse/shared/node';
import { readMetrics } from './prometheus.js';

/** Rules like a team's first ones, on what the bench load sends: a metric per name, p95, an error rate. */
export async function insertBenchRules(clickhouse: ClickHouseClient, projectId: string): Promise<void> {
  const specs = [
    {
      source: { type: 'metric', dimension: 'quality_score' },
      filter: { name: 'llm-call' },
      aggregation: 'avg',
      comparator: '<',
      threshold: 3.5,
    },
    {
      source: { type: 'metric', dimension: 'latency_ms' },
      filter: {},
      aggregation: 'p95',
      comparator: '>',
      threshold: 2_000,
    },
    {
      source: { type: 'span', signal: 'span.error_rate' },
      filter: {},
      aggregation: 'avg',
      comparator: '>',
      threshold: 0.05,
    },
  ];
  const now = clickHouseFromIso(new Date().toISOString());
  for (const [i, spec] of specs.entries()) {
    await insertAlertRule(clickhouse, {
      project_id: projectId,
      rule_id: randomUUID(),
      spec: JSON.stringify({
        name: `bench ${i}`,
        enabled: true,
        window_seconds: 300,
        channels: [{ type: 'log' }],
        ...spec,
      }),
      secret: 'bench',
      created_at: now,
      updated_at: now,
      version: Date.now() * 1000 + i,
      deleted: 0,
    });
  }
}

/** Events the alerter applied and messages it has not read yet, from its `/metrics`. */
export async function alerterProgress(url: string): Promise<{ events: number; lag: number }> {
  const sum = await readMetrics(url);
  return { events: sum('tracehouse_alerter_events_total'), lag: sum('tracehouse_alerter_lag') };
}

/** Waits until the alerter has read everything on its topics (lag 0, count steady); seconds waited. */
export async function alerterCaughtUp(
  url: string,
  timeoutMs: number,
): Promise<{ events: number; seconds: number }> {
  const started = Date.now();
  let last = await alerterProgress(url);
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await alerterProgress(url);
    if (now.lag === 0 && now.events === last.events && now.events > 0) break;
    last = now;
  }
  return { events: last.events, seconds: Math.round((Date.now() - started) / 100) / 10 };
}
