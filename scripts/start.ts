// `npm start`: Tracehouse in one process. Brings the local Kafka and ClickHouse up when none are
// configured, applies migrations, runs the server (ingest + api) + writer + alerter and serves HTTP on PORT (default 8080).
// Ctrl-C stops Tracehouse in order; the local Kafka/ClickHouse keep running (`npm run services:down`).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadAlerterConfig, startAlerter } from '@tracehouse/alerter';
import { repoRoot, servicesUp } from '@tracehouse/local-services';
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
  prettyLogs,
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
const logger = createLogger({
  name: 'tracehouse',
  level: serverConfig.LOG_LEVEL,
  pretty: prettyLogs(serverConfig.LOG_FORMAT),
});
const connection = {
  ...clickhouseConnection(serverConfig),
  logger,
};
await migrate(connection);
const firstKey = await createFirstKey();
const dashboardBuilt = buildDashboardOnce();

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
const base = `http://${serverConfig.HOST}:${serverConfig.PORT}`;
logger.debug(
  { url: base, kafka: serverConfig.KAFKA_BROKERS, clickhouse: serverConfig.CLICKHOUSE_URL },
  'Tracehouse is running',
);
// One banner: where everything is, the first key once (only its hash is stored), and how to stop.
process.stdout.write(
  [
    '',
    `Tracehouse is running at ${base}`,
    `  Dashboard       ${base}/${dashboardBuilt ? '' : '  (not built: npm run build -w dashboard)'}`,
    `  API (Opper v2)  ${base}/v2`,
    `  API reference   ${base}/docs`,
    `  Health/metrics  ${base}/healthz, ${base}/metrics`,
    ...(firstKey
      ? [`  API key of project "default" (shown once): ${firstKey}`]
      : ['  API keys: npm run keys -- create --project NAME']),
    '  Sample data: npm run demo.  Ctrl-C stops Tracehouse (npm run services:down stops Kafka and ClickHouse).',
    '',
  ].join('\n'),
);

/** The dashboard's assets are built on the first start (a few seconds); a failed build leaves the API up. */
function buildDashboardOnce(): boolean {
  if (existsSync(join(repoRoot, 'dashboard', 'dist', 'index.html'))) return true;
  process.stdout.write('Building the dashboard (first start only)...\n');
  try {
    execFileSync('npm', ['run', 'build', '-w', 'dashboard'], { cwd: repoRoot, stdio: 'pipe' });
    return true;
  } catch (err) {
    logger.warn({ err }, 'the dashboard could not be built; the API runs without it');
    return false;
  }
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
