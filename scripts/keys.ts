// `npm run keys -- create --project NAME [--name LABEL]`: creates an API key for a project (the
// project too, when new) and prints the key alone on the last line. Only its hash is stored.
import { parseArgs } from 'node:util';
import { readServicesEnv } from '@tracehouse/local-services';
import {
  clickhouseConnection,
  createApiKey,
  createClickHouse,
  createLogger,
  ensureProject,
  infraEnvShape,
  loadConfig,
  migrate,
} from '@tracehouse/shared/node';
import { z } from 'zod';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { project: { type: 'string' }, name: { type: 'string', default: 'default' } },
});
if (positionals[0] !== 'create' || !values.project) {
  console.error('usage: npm run keys -- create --project NAME [--name LABEL]');
  process.exit(2);
}

const config = loadConfig(z.object(infraEnvShape), { ...readServicesEnv(), ...process.env });
const logger = createLogger({ name: 'keys', level: 'warn' });
const connection = {
  ...clickhouseConnection(config),
  logger,
};
await migrate(connection);
const clickhouse = createClickHouse(connection);
const project = await ensureProject(clickhouse, values.project);
const { key } = await createApiKey(clickhouse, project.id, values.name);
await clickhouse.close();
console.log(`project ${project.name} (${project.id})`);
console.log(key);
