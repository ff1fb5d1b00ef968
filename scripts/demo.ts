// `npm run demo`: writes a sample project ("demo": a RAG pipeline and an agent, ~320 traces over the
// last 24 h, metrics, errors, a dataset) through the public API of a running Tracehouse, so search,
// analytics, export and the dashboard have something to show. Safe to run again.
// `npm run demo -- --remove`: deletes the sample project's data and its key.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readServicesEnv, stateRoot } from '@tracehouse/local-services';
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
import { deleteProjectData } from './demo/remove-demo.js';
import type { DemoApi } from './demo/write-demo.js';
import { writeDemo } from './demo/write-demo.js';

const { values } = parseArgs({
  options: { url: { type: 'string' }, remove: { type: 'boolean', default: false } },
});
const env = { ...readServicesEnv(), ...process.env };
const base = (values.url ?? `http://${env.HOST ?? '127.0.0.1'}:${env.PORT ?? '8080'}`).replace(/\/$/, '');
const keyFile = join(stateRoot, 'demo.key');
const config = loadConfig(z.object(infraEnvShape), env);
const connection = { ...clickhouseConnection(config), logger: createLogger({ name: 'demo', level: 'warn' }) };
await migrate(connection);
const clickhouse = createClickHouse(connection);
const project = await ensureProject(clickhouse, 'demo');

try {
  if (values.remove) {
    process.stdout.write(`Removing the sample project "demo" (${project.id})...\n`);
    await deleteProjectData(clickhouse, project.id);
    rmSync(keyFile, { force: true });
    process.stdout.write('Done: its traces, metrics, datasets and alerts are deleted.\n');
  } else {
    const health = await fetch(`${base}/healthz`).catch(() => undefined);
    if (health?.status !== 200) {
      process.stderr.write(
        `No Tracehouse answers at ${base} (start it with \`npm start\`, or pass --url).\n`,
      );
      process.exitCode = 1;
    } else {
      const key = await demoKey();
      const api: DemoApi = async (method, path, body) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      };
      process.stdout.write(`Writing the sample project "demo" to ${base}...\n`);
      const written = await writeDemo(api, {
        onProgress: (done, total) => process.stdout.write(`  ${done} / ${total} items\n`),
      });
      process.stdout.write(
        `\nThe sample project "demo": ${written.traces} traces, ${written.spans} spans, with metrics, errors, ` +
          `and the dataset "demo-golden-answers".\n` +
          `  Dashboard: ${base}/  (sign in with the key below)\n` +
          `  API key of project "demo": ${key}\n` +
          `  Remove it: npm run demo -- --remove\n`,
      );
    }
  }
} finally {
  await clickhouse.close();
}

/** The demo project's key, kept (in clear) in the git-ignored state dir so a second run reuses it. */
async function demoKey(): Promise<string> {
  if (existsSync(keyFile)) {
    const saved = readFileSync(keyFile, 'utf8').trim();
    const check = await fetch(`${base}/v2/traces?limit=1`, { headers: { authorization: `Bearer ${saved}` } });
    if (check.status === 200) return saved;
  }
  const { key } = await createApiKey(clickhouse, project.id, 'demo');
  mkdirSync(stateRoot, { recursive: true });
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  return key;
}
