import { createLogger, HealthRegistry, prettyLogs, runHeadless } from '@tracehouse/shared/node';
import { loadAlerterConfig } from './config.js';
import { startAlerter } from './service.js';

const config = loadAlerterConfig(process.env);
const logger = createLogger({
  name: 'alerter',
  level: config.LOG_LEVEL,
  pretty: prettyLogs(config.LOG_FORMAT),
});
const health = new HealthRegistry();
const alerter = await startAlerter({ config, logger, health });
await runHeadless({
  name: 'alerter',
  host: config.HOST,
  port: config.ALERTER_HEALTH_PORT,
  health,
  logger,
  shutdownSteps: alerter.shutdownSteps,
  telemetry: alerter.telemetry,
});
