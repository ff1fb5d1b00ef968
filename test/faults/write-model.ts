import type { IngestClient, Json } from '../write-path/helpers.js';

/** What the acknowledged writes say a span is: the last acknowledged value of every field. */
export interface ModelSpan {
  traceId: string;
  name: string;
  output: unknown;
  meta: Record<string, unknown>;
  tags: Record<string, string>;
  deleted: boolean;
}
export interface ModelMetric {
  spanId: string;
  value: number;
  deleted: boolean;
}

/**
 * Every acknowledged write, applied in the order it was acknowledged. Each span belongs to one client
 * that writes it one request after another, so acknowledgement order is well defined.
 */
export class WriteModel {
  readonly spans = new Map<string, ModelSpan>();
  readonly metrics = new Map<string, ModelMetric>();
  /** Requests that never got a 2xx, even after retrying the retryable answers. */
  readonly failures: string[] = [];

  /** Writes one trace (a root and `children` children) with patches, metrics and deletes, through
   * the given clients in turn (so consecutive writes of a span go through different processes). */
  async writeTrace(clients: IngestClient[], t: number, children: number): Promise<void> {
    const via = (i: number) => clients[i % clients.length]!;
    const root = await this.#create(via(t), { name: `trace-${t}`, input: { t }, tags: { run: 'model' } });
    if (!root) return;
    const ids = [root.id];
    for (let c = 0; c < children; c++) {
      const child = await this.#create(via(t + c + 1), {
        name: `step-${c}`,
        parent_id: root.id,
        input: { t, c },
        tags: { step: String(c) },
        meta: { m0: c },
      });
      if (child) ids.push(child.id);
    }
    for (const [i, id] of ids.entries()) {
      await this.#patch(via(t + i + 1), id, { output: `first-${i}`, meta: { p1: i } });
      await this.#patch(via(t + i), id, {
        output: `second-${i}`,
        meta: { p2: `x${i}` },
        tags: { late: 'yes' },
      });
      const metric = await this.#metric(via(t + i + 1), id, i);
      if (metric && i % 2 === 0) await this.#updateMetric(via(t + i), id, metric, i + 0.5);
      if (metric && i % 3 === 0) await this.#deleteMetric(via(t + i + 1), id, metric);
    }
    if (t % 5 === 0) await this.#deleteSpan(via(t + 1), ids[ids.length - 1]!);
  }

  /** Sends like an SDK: a 503 (nothing acknowledged; e.g. a read-your-writes wait past its bound
   * while writers rebalance) is retried after its `Retry-After`. */
  async #send(client: IngestClient, method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) {
    for (let attempt = 0; ; attempt++) {
      const res = await client.request(method, path, body);
      if (res.status >= 200 && res.status < 300) return (res.body ?? {}) as Json; // 204: acknowledged, no body
      if (res.status !== 503 || attempt >= 10) {
        this.failures.push(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
        return undefined;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async #create(client: IngestClient, body: Json) {
    const res = await this.#send(client, 'POST', '/v2/spans', body);
    if (res)
      this.spans.set(res.id, {
        traceId: res.trace_id,
        name: body.name,
        output: null,
        meta: { ...(body.meta ?? {}) },
        tags: { ...(body.tags ?? {}) },
        deleted: false,
      });
    return res;
  }

  async #patch(client: IngestClient, id: string, body: Json) {
    if (!(await this.#send(client, 'PATCH', `/v2/spans/${id}`, body))) return;
    const span = this.spans.get(id)!;
    span.output = body.output;
    Object.assign(span.meta, body.meta);
    Object.assign(span.tags, body.tags ?? {});
  }

  async #metric(client: IngestClient, spanId: string, value: number) {
    const res = await this.#send(client, 'POST', `/v2/spans/${spanId}/metrics`, {
      dimension: 'score',
      value,
    });
    if (res) this.metrics.set(res.id, { spanId, value, deleted: false });
    return res?.id as string | undefined;
  }

  async #updateMetric(client: IngestClient, spanId: string, id: string, value: number) {
    if (await this.#send(client, 'PATCH', `/v2/spans/${spanId}/metrics/${id}`, { value }))
      this.metrics.get(id)!.value = value;
  }

  async #deleteMetric(client: IngestClient, spanId: string, id: string) {
    if (await this.#send(client, 'DELETE', `/v2/spans/${spanId}/metrics/${id}`))
      this.metrics.get(id)!.deleted = true;
  }

  async #deleteSpan(client: IngestClient, id: string) {
    if (!(await this.#send(client, 'DELETE', `/v2/spans/${id}`))) return;
    this.spans.get(id)!.deleted = true;
    for (const m of this.metrics.values()) if (m.spanId === id) m.deleted = true;
  }

  /** Live spans per trace, as the trace summaries must count them. */
  liveSpansPerTrace(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.spans.values()) if (!s.deleted) out.set(s.traceId, (out.get(s.traceId) ?? 0) + 1);
    return out;
  }
}
