import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in tools/local-services/src). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Downloads (Kafka jars, the chdb virtualenv) are cached outside the repo so clean clones reuse them. */
export const cacheRoot = process.env.TRACEHOUSE_CACHE_DIR ?? join(homedir(), '.cache', 'tracehouse');

/** Data, logs, pid files and the env file written by `services:up` (git-ignored). */
export const stateRoot = join(repoRoot, '.tracehouse');

export const servicesEnvFile = join(stateRoot, 'services.env');
