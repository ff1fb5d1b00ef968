import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import { clickHouseFromIso, insertAlertRule, signBody } from '@tracehouse/shared/node';

/** A webhook receiver on 127.0.0.1 that records every request; it can answer 500 a number of times first. */
export class WebhookReceiver {
  // biome-ignore lint/suspicious/noExplicitAny: webhook bodies are asserted field by field
  readonly requests: { headers: IncomingHttpHeaders; body: string; json: any; status: number }[] = [];
  failuresLeft = 0;
  #server: Server | undefined;
  url = '';

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    r.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const status = r.failuresLeft > 0 ? 500 : 200;
        if (status === 500) r.failuresLeft--;
        r.requests.push({ headers: req.headers, body, json: JSON.parse(body || 'null'), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => r.#server!.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.#server.address() as AddressInfo).port}/hook`;
    return r;
  }

  /** Requests about one rule (several rules may share a receiver). */
  of(ruleId: string) {
    return this.requests.filter((q) => q.json?.rule_id === ruleId);
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

export const validSignature = (body: string, header: unknown, secret: string) =>
  header === signBody(body, secret);

/**
 * Stores a rule straight into ClickHouse, as the API would, but without the API's 60 s minimum
 * window: tests use windows of seconds.
 */
export async function insertTestRule(
  clickhouse: ClickHouseClient,
  projectId: string,
  spec: Record<string, unknown>,
): Promise<{ id: string; secret: string }> {
  const id = randomUUID();
  const secret = `whsec_test_${randomUUID()}`;
  const now = clickHouseFromIso(new Date().toISOString());
  await insertAlertRule(clickhouse, {
    project_id: projectId,
    rule_id: id,
    spec: JSON.stringify({
      enabled: true,
      filter: {},
      for_seconds: 0,
      no_data: 'keep',
      severity: 'warning',
      channels: [],
      repeat_interval_seconds: null,
      description: '',
      ...spec,
    }),
    secret,
    created_at: now,
    updated_at: now,
    version: Date.now() * 1000,
    deleted: 0,
  });
  return { id, secret };
}

/** Polls `read` until `check` passes; throws with the last value at the deadline. */
export async function until<T>(
  read: () => T | Promise<T>,
  check: (v: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Fast alerter settings for tests: evaluation twice a second, short lateness and handover. */
export const fastAlerterEnv = (groupId: string): Record<string, string> => ({
  ALERTER_GROUP_ID: groupId,
  ALERTER_OWNERSHIP_PARTITIONS: '4',
  ALERTER_SESSION_TIMEOUT_MS: '6000',
  ALERTER_HANDOVER_GRACE_MS: '500',
  ALERTER_EVAL_INTERVAL_MS: '500',
  ALERTER_RULES_REFRESH_MS: '500',
  ALERTER_LATENESS_MS: '1000',
  ALERTER_JOIN_WAIT_MS: '500',
  ALERTER_DELIVERY_RETRY_MIN_MS: '200',
  ALERTER_DELIVERY_RETRY_MAX_MS: '1000',
  ALERTER_DELIVERY_TIMEOUT_MS: '2000',
});
