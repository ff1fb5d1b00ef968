import { cutLongStrings } from '../../services/server/src/http/long-strings.js';
import { makeTrace, rng } from '../src/profiles.js';
const r = rng(1); const items: unknown[] = [];
while (items.length < 900) items.push(...makeTrace((process.env.P ?? 'small') as 'small', r, Date.now()).items);
const raw = Buffer.from(JSON.stringify({ items }));
console.log('body KB', (raw.length / 1024).toFixed(0), 'spans', items.length);
const time = (name: string, f: () => unknown) => {
  for (let i = 0; i < 20; i++) f();
  const t = performance.now(); const n = 200; for (let i = 0; i < n; i++) f();
  console.log(name, ((performance.now() - t) / n).toFixed(3), 'ms/body');
};
time('cutLongStrings', () => cutLongStrings(raw, 1024));
time('toString', () => raw.toString('utf8'));
time('JSON.parse', () => JSON.parse(raw.toString('utf8')));
