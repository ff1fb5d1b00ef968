import type { HealthRegistry } from '@tracehouse/shared/node';
import type { FastifyPluginAsync } from 'fastify';

/** `/healthz` (and `/readyz`) answer 200 only once every registered part of the process is ready. */
export const healthRoutes: FastifyPluginAsync<{ health: HealthRegistry }> = async (app, { health }) => {
  const handler = async (_req: unknown, reply: { code(n: number): unknown }) => {
    const report = await health.report();
    reply.code(report.ok ? 200 : 503);
    return { status: report.ok ? 'ok' : 'unavailable', checks: report.checks };
  };
  app.get('/healthz', handler);
  app.get('/readyz', handler);
};
