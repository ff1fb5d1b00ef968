import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, repoRoot } from './paths.js';

const run = promisify(execFile);

export const chdbRequirements = join(repoRoot, 'tools', 'clickhouse-http', 'requirements.txt');

/** The pinned chdb-core version, read from requirements.txt so there is one place to bump it. */
export function chdbVersion(): string {
  const match = /chdb-core==([\w.]+)/.exec(readFileSync(chdbRequirements, 'utf8'));
  if (!match?.[1]) throw new Error(`no pinned chdb-core version in ${chdbRequirements}`);
  return match[1];
}

/**
 * Returns the python of a virtualenv holding the pinned chdb-core, creating it on first use.
 * The venv is named after the version, so a bump installs next to the old one instead of mutating it.
 */
export async function ensureChdbPython(): Promise<string> {
  const venv = join(cacheRoot, `chdb-${chdbVersion()}`);
  const python = join(venv, 'bin', 'python');
  const marker = join(venv, '.installed');
  if (existsSync(marker)) return python;
  const systemPython = process.env.PYTHON ?? 'python3';
  // The first start waits on this: say what, from where and how big, since nothing else moves.
  process.stderr.write(
    `First start: installing the ClickHouse engine (chdb-core ${chdbVersion()} from PyPI, about 900 MB installed) into ${venv}...\n`,
  );
  await run(systemPython, ['-m', 'venv', venv]);
  await run(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', chdbRequirements],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  await run(python, ['-c', 'import chdb']);
  await run(python, ['-c', `open(${JSON.stringify(marker)}, "w").write("ok")`]);
  return python;
}
