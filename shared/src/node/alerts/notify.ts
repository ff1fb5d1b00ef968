import { createHmac } from 'node:crypto';
import type { AlertChannel, AlertEvent } from '../../api/alerts.js';
import type { Logger } from '../logger.js';

/**
 * One delivery attempt of an alert event to one channel. Shared by the alerter (deliveries with
 * retries) and the API (`POST /v2/alerts/rules/{id}/test`), so a test notification is exactly what a
 * real one looks like.
 */

export interface AlertPayload extends AlertEvent {
  type: 'tracehouse.alert';
  project_id: string;
  /** True for `POST …/test` samples. */
  test: boolean;
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  /** Worth another attempt: network errors, timeouts, 408, 429 and 5xx. */
  retryable: boolean;
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the rule's secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A URL fit for logs: scheme and host only (Slack and many webhooks carry a token in the path). */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/[redacted]`;
  } catch {
    return '[redacted]';
  }
}

export function slackText(p: AlertPayload): string {
  const icon = {
    firing: ':rotating_light:',
    reminder: ':rotating_light:',
    resolved: ':white_check_mark:',
    no_data: ':grey_question:',
  }[p.kind];
  const source = p.source.type === 'metric' ? p.source.dimension : p.source.signal;
  const value = p.value === null ? 'no data' : String(Number(p.value.toPrecision(6)));
  return `${icon} [${p.severity}] ${p.rule_name}: ${p.kind}${p.test ? ' (test)' : ''} — ${p.aggregation}(${source}) over ${p.window_seconds}s = ${value} (threshold ${p.comparator} ${p.threshold})`;
}

export interface SendOptions {
  timeoutMs: number;
  logger: Logger;
  fetch?: typeof fetch;
}

export async function sendAlert(
  channel: AlertChannel,
  payload: AlertPayload,
  secret: string,
  options: SendOptions,
): Promise<SendResult> {
  if (channel.type === 'log') {
    options.logger.warn({ alert: payload }, 'alert');
    return { ok: true, status: null, error: null, retryable: false };
  }
  const body =
    channel.type === 'slack' ? JSON.stringify({ text: slackText(payload) }) : JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'tracehouse-alerter',
    // The same key on every attempt of one event: receivers drop repeats by it.
    'idempotency-key': payload.id,
  };
  if (channel.type === 'webhook') {
    headers['x-tracehouse-signature'] = signBody(body, secret);
    headers['x-tracehouse-event'] = payload.kind;
  }
  try {
    const res = await (options.fetch ?? fetch)(channel.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
    await res.body?.cancel().catch(() => {});
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      status: res.status,
      error: ok ? null : `HTTP ${res.status}`,
      retryable: !ok && (res.status >= 500 || res.status === 408 || res.status === 429),
    };
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    const error =
      name === 'TimeoutError'
        ? `timed out after ${options.timeoutMs} ms`
        : `${name}: ${String((err as Error)?.message ?? err).slice(0, 200)}`;
    return { ok: false, status: null, error, retryable: true };
  }
}
