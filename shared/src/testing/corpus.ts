/**
 * Seeded corpora for tests that hold a hand-written parser to its zod schema: objects drawn from pools
 * of values zod accepts and values it refuses, around every bound. Seeded, so a failure names an input
 * that can be made again.
 */

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Pool {
  good: unknown[];
  bad: unknown[];
}
export type Pools = Record<string, Pool>;

export const text = (n: number) => 'x'.repeat(n);
export const keys = (n: number, value: unknown) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

/** Strings of `min..max` characters, and the lengths and types just outside. */
export const sized = (min: number, max: number): Pool => ({
  good: [text(Math.max(min, 1)), text(max), ...(min === 0 ? [''] : [])],
  bad: [text(max + 1), ...(min > 0 ? [''] : []), 5, [], {}],
});
export const nullable = (pool: Pool): Pool => ({ good: [...pool.good, null], bad: pool.bad });

export const pick = <T>(random: () => number, a: readonly T[]): T => a[Math.floor(random() * a.length)]!;

/**
 * An object with each key of `pools` (optional ones at random), mostly good values, one in
 * `1 / badRate` bad; now and then a key no schema knows.
 */
export function draw(
  random: () => number,
  pools: Pools,
  required: string[],
  badRate = 0.03,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(pools)) {
    if (!required.includes(key) && random() < 0.4) continue;
    if (required.includes(key) && random() < 0.01) continue;
    out[key] = random() < badRate ? pick(random, p.bad) : pick(random, p.good);
  }
  if (random() < 0.02) out.unknown_key = 1;
  return out;
}
