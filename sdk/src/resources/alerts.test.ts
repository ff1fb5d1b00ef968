import { afterEach, describe, expect, it } from 'vitest';
import { Tracehouse } from '../client.js';
import { fakeServer, type Respond } from '../testing/fake-server.js';

describe('alerts resource', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  async function client(respond: Respond) {
    const server = await fakeServer(respond);
    close = server.close;
    return { th: new Tracehouse({ baseUrl: server.url, apiKey: 'k' }), requests: server.requests };
  }

  it('sends the right method, path, query and body for every call', async () => {
    const { th, requests } = await client((r) => ({
      status: r.method === 'DELETE' ? 204 : 200,
      body: r.url.includes('/events') ? { data: [], next_cursor: null } : { id: 'r1' },
    }));
    const spec = {
      name: 'q',
      source: { type: 'metric' as const, dimension: 'quality_score' },
      aggregation: 'avg' as const,
      window_seconds: 300,
      comparator: '<' as const,
      threshold: 3.5,
    };
    const calls: [() => Promise<unknown>, string, unknown?][] = [
      [() => th.alerts.createRule(spec), 'POST /v2/alerts/rules', spec],
      [() => th.alerts.listRules(), 'GET /v2/alerts/rules'],
      [() => th.alerts.getRule('r1'), 'GET /v2/alerts/rules/r1'],
      [() => th.alerts.updateRule('r1', { threshold: 3 }), 'PATCH /v2/alerts/rules/r1', { threshold: 3 }],
      [() => th.alerts.enableRule('r1'), 'POST /v2/alerts/rules/r1/enable'],
      [() => th.alerts.disableRule('r1'), 'POST /v2/alerts/rules/r1/disable'],
      [() => th.alerts.testRule('r1'), 'POST /v2/alerts/rules/r1/test'],
      [() => th.alerts.deleteRule('r1'), 'DELETE /v2/alerts/rules/r1'],
      [
        () => th.alerts.preview({ rule: spec, from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' }),
        'POST /v2/alerts/rules/preview',
        { rule: spec, from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' },
      ],
      [() => th.alerts.listEvents({ kind: 'firing', limit: 5 }), 'GET /v2/alerts/events?kind=firing&limit=5'],
    ];
    for (const [call, line, body] of calls) {
      await call();
      const sent = requests.at(-1)!;
      expect(`${sent.method} ${sent.url}`).toBe(line);
      expect(sent.body).toEqual(body);
    }
  });

  it('iterates every event across cursor pages', async () => {
    const { th, requests } = await client((r) => ({
      status: 200,
      body: r.url.includes('cursor=c1')
        ? { data: [{ id: 'e2' }], next_cursor: null }
        : { data: [{ id: 'e1' }], next_cursor: 'c1' },
    }));
    const ids: string[] = [];
    for await (const e of th.alerts.events({ rule_id: 'r1' })) ids.push(e.id);
    expect(ids).toEqual(['e1', 'e2']);
    expect(requests.map((r) => r.url)).toEqual([
      '/v2/alerts/events?rule_id=r1',
      '/v2/alerts/events?rule_id=r1&cursor=c1',
    ]);
  });
});
