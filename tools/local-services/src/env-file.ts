import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Parses `KEY=VALUE` lines; blank lines and `#` comments are skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) out[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
  }
  return out;
}

export function formatEnvFile(values: Record<string, string>, header: string): string {
  return `# ${header}\n${Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

export function readEnvFile(path: string): Record<string, string> | undefined {
  return existsSync(path) ? parseEnvFile(readFileSync(path, 'utf8')) : undefined;
}

/** Written readable by its owner only: it holds the ClickHouse password. */
export function writeEnvFile(path: string, values: Record<string, string>, header: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatEnvFile(values, header), { mode: 0o600 });
  chmodSync(path, 0o600); // a file written before keeps its mode otherwise
}

export function removeEnvFile(path: string): void {
  rmSync(path, { force: true });
}
