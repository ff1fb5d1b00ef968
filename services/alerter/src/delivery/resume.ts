import type { ClickHouseClient } from '@clickhouse/client';
import { AlertChannel } from '@tracehouse/shared';
import { deliveryProgress, recentAlertEvents } from '@tracehouse/shared/node';
import { z } from 'zod';
import type { LiveRule } from '../domain/rule-book.js';
import type { Dispatcher } from './dispatcher.js';

/** Deliveries are finished by whoever owns the rule, for events of the last day. */
const resumeWindowMs = 24 * 3_600_000;

/**
 * A process that takes rules over (at start, or from a process that died) finishes their deliveries:
 * every channel of a recent event without a final attempt is tried again, numbered after the recorded
 * attempts, with the same idempotency key.
 */
export async function resumeDeliveries(o: {
  clickhouse: ClickHouseClient;
  rules: LiveRule[];
  dispatcher: Dispatcher;
  clock: () => number;
  maxAttempts: number;
}): Promise<void> {
  const byId = new Map(o.rules.map((r) => [r.id, r]));
  const events = await recentAlertEvents(
    o.clickhouse,
    o.rules.map((r) => ({ projectId: r.projectId, ruleId: r.id })),
    new Date(o.clock() - resumeWindowMs).toISOString(),
  );
  const withChannels = events.filter((e) => e.channels !== '[]');
  if (withChannels.length === 0) return;
  const progress = new Map(
    (
      await deliveryProgress(
        o.clickhouse,
        withChannels.map((e) => e.project_id),
        withChannels.map((e) => e.event_id),
      )
    ).map((p) => [`${p.eventId}:${p.channel}`, p]),
  );
  for (const row of withChannels) {
    const channels = z.array(AlertChannel).safeParse(JSON.parse(row.channels));
    if (!channels.success) continue;
    channels.data.forEach((channel, index) => {
      const p = progress.get(`${row.event_id}:${index}`);
      const attempt = (p?.attempts ?? 0) + 1;
      if (p?.done || attempt > o.maxAttempts) return;
      o.dispatcher.enqueue({ row, channel, index, secret: byId.get(row.rule_id)!.secret, attempt });
    });
  }
}
