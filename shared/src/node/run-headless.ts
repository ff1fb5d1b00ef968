import type { HealthRegistry } from './health.js';
import { serveHealth } from './health-server.js';
import type { Logger } from './logger.js';
import { exitOnSignals, type ShutdownStep, shutdownInOrder } from './shutdown.js';
import type { Telemetry } from './telemetry.js';

/**
 * Runs a service that has no HTTP API of its own (writer, alerter) as its own process:
 * a health endpoint, and ordered shutdown on SIGINT/SIGTERM with the endpoint closed last.
 */
export async function runHeadless(options: {
  name: string;
  host: string;
  port: number;
  health: HealthRegistry;
  logger: Logger;
  shutdownSteps: ShutdownStep[];
  telemetry?: Telemetry;
}): Promise<void> {
  const { logger } = options;
  const server = await serveHealth(options);
  const closeServer: ShutdownStep = {
    name: 'health endpoint',
    run: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  exitOnSignals(() => shutdownInOrder([...options.shutdownSteps, closeServer], logger), logger);
  logger.info({ health: `http://${options.host}:${options.port}/healthz` }, `${options.name} running`);
}
