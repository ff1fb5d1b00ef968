import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const run = promisify(execFile);
const composeFile = join(repoRoot, 'docker-compose.yml');

/** True when a Docker daemon answers (the client alone is not enough). */
export async function dockerAvailable(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** `env` adds what docker-compose.yml interpolates (CLICKHOUSE_PASSWORD), for every compose command. */
export async function composeUp(services: string[], env: Record<string, string> = {}): Promise<void> {
  await run('docker', ['compose', '-f', composeFile, 'up', '-d', '--wait', ...services], {
    timeout: 300_000,
    env: { ...process.env, ...env },
  });
}

export async function composeDown(env: Record<string, string> = {}): Promise<void> {
  await run('docker', ['compose', '-f', composeFile, 'down'], {
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
}
