// One server process: `SERVICES=ingest`, `SERVICES=api` or both (the default). See the README for
// putting an ingest-only and an api-only process behind one URL.
import {
  createLogger,
  exitOnSignals,
  HealthRegistry,
  prettyLogs,
  shutdownInOrder,
} from '@tracehouse/shared/node';
import { loadServerConfig } from './config.js';
import { startServer } from './service.js';

const config = loadServerConfig(process.env);
const logger = createLogger({
  name: 'server',
  level: config.LOG_LEVEL,
  pretty: prettyLogs(config.LOG_FORMAT),
});
const health = new HealthRegistry();
const server = await startServer({ config, logger, health });
exitOnSignals(() => shutdownInOrder(server.shutdownSteps, logger), logger);
await server.app.listen({ host: config.HOST, port: config.PORT });
logger.info({ url: `http://${config.HOST}:${config.PORT}`, services: config.SERVICES }, 'server listening');
