import { createLogger, exitOnSignals, HealthRegistry, shutdownInOrder } from '@tracehouse/shared/node';
import { loadIngestConfig } from './config.js';
import { startIngest } from './service.js';

const config = loadIngestConfig(process.env);
const logger = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
const health = new HealthRegistry();
const ingest = await startIngest({ config, logger, health });
exitOnSignals(() => shutdownInOrder(ingest.shutdownSteps, logger), logger);
await ingest.app.listen({ host: config.HOST, port: config.PORT });
logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'ingest listening');
