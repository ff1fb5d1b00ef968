import type { HealthRegistry, HealthReport } from '@tracehouse/shared/node';
import fp from 'fastify-plugin';

/**
 * A report at most `maxAgeMs` old; concurrent callers share one run. Probes arrive from load balancers
 * and orchestrators every few seconds each, and every check touches Kafka or ClickHouse.
 */
export function cachedReport(
  health: HealthRegistry,
  maxAgeMs: number,
  now = Date.now,
): () => Promise<HealthReport> {
  let last: { at: number; report: HealthReport } | undefined;
  let running: Promise<HealthReport> | undefined;
  return () => {
    if (last && now() - last.at < maxAgeMs) return Promise.resolve(last.report);
    running ??= health.report().then(
      (report) => {
        last = { at: now(), report };
        running = undefined;
        return report;
      },
      (err: unknown) => {
        running = undefined;
        throw err;
      },
    );
    return running;
  };
}

/** `/healthz` (and `/readyz`) answer 200 only once every registered part of the process is ready. */
export const healthPlugin = fp<{ health: HealthRegistry; cacheMs: number }>(
  async (app, { health, cacheMs }) => {
    const report = cachedReport(health, cacheMs);
    const handler = async (_req: unknown, reply: { code(n: number): unknown }) => {
      const { ok, checks } = await report();
      reply.code(ok ? 200 : 503);
      return { status: ok ? 'ok' : 'unavailable', checks };
    };
    app.get('/healthz', { schema: { hide: true } }, handler);
    app.get('/readyz', { schema: { hide: true } }, handler);
  },
  { name: 'health' },
);
