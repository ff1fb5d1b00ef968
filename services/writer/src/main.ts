import { createLogger, HealthRegistry, prettyLogs, runHeadless } from '@tracehouse/shared/node';
import { loadWriterConfig } from './config.js';
import { startWriter } from './service.js';

const config = loadWriterConfig(process.env);
const logger = createLogger({
  name: 'writer',
  level: config.LOG_LEVEL,
  pretty: prettyLogs(config.LOG_FORMAT),
});
const health = new HealthRegistry();
const writer = await startWriter({ config, logger, health });
await runHeadless({
  name: 'writer',
  host: config.HOST,
  port: config.WRITER_HEALTH_PORT,
  health,
  logger,
  shutdownSteps: writer.shutdownSteps,
  telemetry: writer.telemetry,
});
