import { randomUUID } from 'node:crypto';
import type { AlertRule, AlertTestResponse } from '@tracehouse/shared';
import { type AlertPayload, type Logger, sendAlert } from '@tracehouse/shared/node';

/**
 * `POST /v2/alerts/rules/{id}/test`: one sample `firing` event, marked `test: true`, sent once to each
 * of the rule's channels the way the alerter sends real ones (same body, signature and headers).
 * Nothing is stored and nothing is retried: the caller sees each channel's answer.
 */
export async function sendTestNotification(o: {
  projectId: string;
  rule: AlertRule;
  secret: string;
  logger: Logger;
  timeoutMs: number;
  now: number;
}): Promise<AlertTestResponse> {
  const { rule } = o;
  const payload: AlertPayload = {
    type: 'tracehouse.alert',
    test: true,
    project_id: o.projectId,
    id: randomUUID(),
    rule_id: rule.id,
    rule_name: rule.name,
    seq: 0,
    kind: 'firing',
    severity: rule.severity,
    value: rule.threshold,
    threshold: rule.threshold,
    comparator: rule.comparator,
    aggregation: rule.aggregation,
    source: rule.source,
    window_seconds: rule.window_seconds,
    window_start: new Date(o.now - rule.window_seconds * 1000).toISOString(),
    window_end: new Date(o.now).toISOString(),
    at: new Date(o.now).toISOString(),
    sample_trace_ids: [],
  };
  const results = await Promise.all(
    rule.channels.map(async (channel) => {
      const r = await sendAlert(channel, payload, o.secret, { timeoutMs: o.timeoutMs, logger: o.logger });
      return { channel: channel.type, ok: r.ok, status: r.status, error: r.error };
    }),
  );
  return { results };
}
