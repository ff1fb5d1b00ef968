// `npm run keys -- create --project NAME [--name LABEL]`: creates an API key for a project (the project
// too, when new) and prints the key alone on the last line. Only its hash is stored.
// `npm run keys -- list [--project NAME]`: every key (prefix, id, project, name, created, revoked).
// `npm run keys -- revoke <prefix-or-id>`: revokes one key; every server stops accepting it within
// AUTH_CACHE_TTL_MS (30 s by default), the time a valid key stays in a server's cache.
import { parseArgs } from 'node:util';
import { readServicesEnv } from '@tracehouse/local-services';
import {
  clickhouseConnection,
  createApiKey,
  createClickHouse,
  createLogger,
  ensureProject,
  infraEnvShape,
  listApiKeys,
  loadConfig,
  migrate,
  revokeApiKey,
} from '@tracehouse/shared/node';
import { z } from 'zod';

const usage = `usage: npm run keys -- create --project NAME [--name LABEL]
       npm run keys -- list [--project NAME]
       npm run keys -- revoke <prefix-or-id>`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { project: { type: 'string' }, name: { type: 'string', default: 'default' } },
});
const [command, selector] = positionals;
const valid =
  (command === 'create' && values.project) || command === 'list' || (command === 'revoke' && selector);
if (!valid) {
  console.error(usage);
  process.exit(2);
}

const config = loadConfig(z.object(infraEnvShape), { ...readServicesEnv(), ...process.env });
const logger = createLogger({ name: 'keys', level: 'warn' });
const connection = { ...clickhouseConnection(config), logger };
await migrate(connection);
const clickhouse = createClickHouse(connection);
try {
  if (command === 'create') {
    const project = await ensureProject(clickhouse, values.project!);
    const { key } = await createApiKey(clickhouse, project.id, values.name);
    console.log(`project ${project.name} (${project.id})`);
    console.log(key);
  } else if (command === 'list') {
    const keys = await listApiKeys(clickhouse, { projectName: values.project });
    const rows = keys.map((k) => [k.prefix, k.id, k.project, k.name, k.created_at, k.revoked_at ?? '-']);
    const header = ['prefix', 'id', 'project', 'name', 'created', 'revoked'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows])
      console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  } else {
    const key = await revokeApiKey(clickhouse, selector!);
    console.log(
      `revoked ${key.prefix} (id ${key.id}, project ${key.project}, name ${key.name}) at ${key.revoked_at}`,
    );
    console.log('servers stop accepting it within their AUTH_CACHE_TTL_MS (default 30 s)');
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await clickhouse.close();
}
