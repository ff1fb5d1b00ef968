import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, ErrorCodes } from '../../errors.js';
import type { Logger } from '../logger.js';
import { type ClickHouseOptions, createClickHouse } from './client.js';
import { toClickHouseAppError } from './errors.js';

/** shared/migrations, from src/node/clickhouse or dist/node/clickhouse alike. */
export const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../migrations');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Splits a migration file into statements: `;` at the end of a line ends one; `--` comment lines are dropped. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileName.exec(file);
    if (!match)
      throw new AppError(ErrorCodes.MIGRATION, `migration file name must look like 0001_name.sql: ${file}`);
    const sql = await readFile(join(dir, file), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      checksum: createHash('sha256').update(sql).digest('hex'),
      statements: splitStatements(sql),
    });
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) {
    throw new AppError(ErrorCodes.MIGRATION, `two migrations share a version number in ${dir}`);
  }
  return migrations;
}

/** `ALTER TABLE … MODIFY SETTING …`: tuning (0019), not schema. */
const tuningStatement = /^ALTER\s+TABLE\s+\S+\s+MODIFY\s+SETTING\b/i;

/**
 * Runs a statement; true when it is tuning that this server refused as an unknown setting, which is
 * then skipped. The supported servers go back to ClickHouse 24.8, which lacks some MergeTree settings
 * (`merge_selector_base` came later); a table there keeps the engine's default. Any other failure
 * throws.
 */
export async function tuningUnknownHere(run: () => Promise<unknown>, statement: string): Promise<boolean> {
  try {
    await run();
    return false;
  } catch (err) {
    const type = (err as { type?: unknown }).type;
    if (tuningStatement.test(statement) && type === 'UNKNOWN_SETTING') return true;
    throw err;
  }
}

export interface MigrateOptions extends Omit<ClickHouseOptions, 'logger'> {
  logger: Logger;
  dir?: string;
}

/**
 * Creates the database if needed and applies, in order, every migration not yet recorded in
 * `schema_migrations`. Statements are idempotent (IF NOT EXISTS), so a run interrupted half-way, or two
 * processes migrating at once, converge. A recorded migration whose file changed is refused: edit by
 * adding a new file instead.
 */
export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const log = options.logger.child({ component: 'migrate', database: options.database });
  const migrations = await loadMigrations(options.dir);
  const admin = createClickHouse({ ...options, database: 'default' });
  try {
    await admin.command({
      query: 'CREATE DATABASE IF NOT EXISTS {db:Identifier}',
      query_params: { db: options.database },
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'creating the database', ErrorCodes.MIGRATION);
  } finally {
    await admin.close();
  }

  // A migration may copy a whole table (0011, 0014, 0015): minutes on a large install, not 60 s. The
  // server sends progress headers meanwhile, so an idle-timeout proxy in between keeps the request open.
  const client = createClickHouse({
    ...options,
    requestTimeoutMs: options.requestTimeoutMs ?? 3_600_000,
    settings: {
      ...options.settings,
      send_progress_in_http_headers: 1,
      http_headers_progress_interval_ms: '10000',
    },
  });
  const applied: string[] = [];
  try {
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS schema_migrations (
        version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
      ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
    });
    const rs = await client.query({
      query: 'SELECT version, checksum FROM schema_migrations FINAL',
      format: 'JSONEachRow',
    });
    const done = new Map(
      (await rs.json<{ version: number; checksum: string }>()).map((r) => [r.version, r.checksum]),
    );
    for (const migration of migrations) {
      const label = `${String(migration.version).padStart(4, '0')}_${migration.name}`;
      const recorded = done.get(migration.version);
      if (recorded === migration.checksum) continue;
      if (recorded !== undefined) {
        throw new AppError(
          ErrorCodes.MIGRATION,
          `migration ${label} changed after it was applied; add a new one`,
        );
      }
      // On an existing install a migration may copy a whole table, which takes minutes: say which one
      // runs. A new database has nothing to copy, and its start stays quiet.
      if (done.size > 0) log.info({ migration: label }, 'applying a migration (copies can take minutes)');
      for (const statement of migration.statements) {
        if (await tuningUnknownHere(() => client.command({ query: statement }), statement)) {
          log.warn(
            { migration: label, statement },
            'this ClickHouse does not know the setting: the table works without it, untuned',
          );
        }
      }
      await client.insert({
        table: 'schema_migrations',
        values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
        format: 'JSONEachRow',
      });
      applied.push(label);
      log.debug({ migration: label }, 'migration applied');
    }
    if (applied.length > 0) log.info({ applied }, `${applied.length} migration(s) applied`);
    return { applied };
  } catch (err) {
    throw toClickHouseAppError(err, 'applying migrations', ErrorCodes.MIGRATION);
  } finally {
    await client.close();
  }
}
