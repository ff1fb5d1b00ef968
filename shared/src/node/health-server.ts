import { createServer, type Server } from 'node:http';
import type { HealthRegistry } from './health.js';
import type { Logger } from './logger.js';
import type { Telemetry } from './telemetry.js';

/**
 * A bare `/healthz` + `/readyz` (+ `/metrics` with telemetry) endpoint for a service that runs alone
 * without an HTTP API of its own (writer, alerter). node:http keeps those services free of a web
 * framework.
 */
export async function serveHealth(options: {
  host: string;
  port: number;
  health: HealthRegistry;
  logger: Logger;
  telemetry?: Telemetry;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics' && options.telemetry) {
      options.telemetry.render().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (err) => {
          options.logger.error({ err }, 'metrics rendering failed');
          res.writeHead(500).end();
        },
      );
      return;
    }
    if (req.method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    options.health.report().then(
      (report) => {
        res
          .writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: report.ok ? 'ok' : 'unavailable', checks: report.checks }));
      },
      (err) => {
        options.logger.error({ err }, 'health report failed');
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"unavailable"}');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
