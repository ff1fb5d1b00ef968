import type { Telemetry } from '@tracehouse/shared/node';
import fp from 'fastify-plugin';

/**
 * `GET /metrics` in Prometheus text format, and a count of every answered request by route template
 * (`/v2/spans/:span_id`, never the id: label values stay few).
 */
export const telemetryPlugin = fp<{ telemetry: Telemetry }>(
  async (app, { telemetry }) => {
    app.addHook('onResponse', async (request, reply) => {
      telemetry.httpRequests.inc({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      });
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const { contentType, body } = await telemetry.render();
      return reply.type(contentType).send(body);
    });
  },
  { name: 'telemetry' },
);
