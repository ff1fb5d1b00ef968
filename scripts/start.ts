// `npm start`: Tracehouse in one process. Brings the local Kafka and ClickHouse up when none are
// configured, applies migrations, runs the server (ingest + api) + writer + alerter and serves HTTP on PORT (default 8080).
// Ctrl-C stops Tracehouse in order; the local Kafka/ClickHouse keep running (`npm run services:down`).
import { loadAlerterConfig, startAlerter } from '@tracehouse/alerter';
import { servicesUp } from '@tracehouse/local-services';
import { loadServerConfig, startServer } from '@tracehouse/server';
import {
  clickhouseConnection,
  countApiKeys,
  createApiKey,
  createClickHouse,
  createLogger,
  ensureProject,
  exitOnSignals,
  HealthRegistry,
  migrate,
  shutdownInOrder,
  Telemetry,
} from '@tracehouse/shared/node';
import { loadWriterConfig, startWriter } from '@tracehouse/writer';

const env: Record<string, string | undefined> = { ...process.env };
if (!env.KAFKA_BROKERS || !env.CLICKHOUSE_URL) {
  const up = await servicesUp({ env: process.env });
  env.KAFKA_BROKERS = up.kafkaBrokers.join(',');
  env.CLICKHOUSE_URL = up.clickhouseUrl;
  env.CLICKHOUSE_USER = up.clickhouseUser;
  env.CLICKHOUSE_PASSWORD = up.clickhousePassword;
}

const serverConfig = loadServerConfig(env);
const logger = createLogger({ name: 'tracehouse', level: serverConfig.LOG_LEVEL });
const connection = {
  ...clickhouseConnection(serverConfig),
  logger,
};
await migrate(connection);
const firstKey = await createFirstKey();

const health = new HealthRegistry();
// One set of Prometheus metrics for the process, served by the server at /metrics.
const telemetry = new Telemetry();
const writer = await startWriter({ config: loadWriterConfig(env), logger, health, telemetry });
const alerter = await startAlerter({ config: loadAlerterConfig(env), logger, health, telemetry });
const server = await startServer({ config: serverConfig, logger, health, telemetry });

// Intake stops first, so everything acknowledged is flushed by the writer before it closes.
exitOnSignals(
  () => shutdownInOrder([...server.shutdownSteps, ...writer.shutdownSteps, ...alerter.shutdownSteps], logger),
  logger,
);
await server.app.listen({ host: serverConfig.HOST, port: serverConfig.PORT });
logger.info(
  {
    url: `http://${serverConfig.HOST}:${serverConfig.PORT}`,
    api: `http://${serverConfig.HOST}:${serverConfig.PORT}/v2`,
    health: `http://${serverConfig.HOST}:${serverConfig.PORT}/healthz`,
    kafka: serverConfig.KAFKA_BROKERS,
    clickhouse: serverConfig.CLICKHOUSE_URL,
  },
  'Tracehouse is running',
);
const base = `http://${serverConfig.HOST}:${serverConfig.PORT}`;
process.stdout.write(
  `\nTracehouse is running: ${base}  (API ${base}/v2, health ${base}/healthz). Ctrl-C stops it.\n`,
);
if (firstKey) {
  // Printed once, in clear, because only its hash is stored.
  logger.info(
    { project: 'default' },
    'created the first API key (shown once); more: npm run keys -- create --project NAME',
  );
  process.stdout.write(`\nAPI key for project "default": ${firstKey}\n\n`);
}

/** On an empty install, a project "default" and its first key, so the API is usable at once. */
async function createFirstKey(): Promise<string | undefined> {
  const clickhouse = createClickHouse(connection);
  try {
    if ((await countApiKeys(clickhouse)) > 0) return undefined;
    const project = await ensureProject(clickhouse, 'default');
    return (await createApiKey(clickhouse, project.id)).key;
  } finally {
    await clickhouse.close();
  }
}
