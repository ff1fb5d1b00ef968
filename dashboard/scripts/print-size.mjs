// Prints what a first visit downloads (index.html and the assets it links), gzipped, and fails the
// build above the budget, so a heavy dependency is noticed when it is added.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const budget = 300 * 1024;
const dir = new URL('../dist/public/', import.meta.url).pathname;
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const linked = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
const files = ['index.html', ...linked];
let total = 0;
for (const file of files) {
  const size = gzipSync(readFileSync(join(dir, file))).length;
  total += size;
  process.stdout.write(`  ${file.padEnd(44)} ${(size / 1024).toFixed(1).padStart(7)} KB gzipped\n`);
}
const all = readdirSync(join(dir, 'assets')).length;
process.stdout.write(
  `dashboard initial load: ${(total / 1024).toFixed(1)} KB gzipped (budget 300 KB; ${all} assets built)\n`,
);
if (total > budget) {
  process.stderr.write('dashboard: initial load over budget\n');
  process.exit(1);
}
