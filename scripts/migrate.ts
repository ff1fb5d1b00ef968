// `npm run migrate`: applies the ClickHouse migrations in shared/migrations to CLICKHOUSE_DATABASE.
// Reads the services env file `services:up` wrote when CLICKHOUSE_URL is not set.
import { readServicesEnv } from '@tracehouse/local-services';
import {
  clickhouseConnection,
  createLogger,
  infraEnvShape,
  loadConfig,
  migrate,
} from '@tracehouse/shared/node';
import { z } from 'zod';

const config = loadConfig(z.object(infraEnvShape), { ...readServicesEnv(), ...process.env });
const logger = createLogger({ name: 'migrate', level: config.LOG_LEVEL });
const { applied } = await migrate({
  ...clickhouseConnection(config),
  logger,
});
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
