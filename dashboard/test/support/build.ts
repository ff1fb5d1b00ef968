import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspace = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the dashboard when `dist/` is missing or older than its sources, so `npm ci && npm test` on a
 * clean clone tests the real assets.
 */
export function ensureDashboardBuilt(): void {
  const index = join(workspace, 'dist', 'public', 'index.html');
  const sources = Math.max(
    newestSource(join(workspace, 'src')),
    statSync(join(workspace, 'index.html')).mtimeMs,
    statSync(join(workspace, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('npm', ['run', 'build'], { cwd: workspace, stdio: 'inherit' });
}
