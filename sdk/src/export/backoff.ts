/** Exponential backoff with full jitter (spreads retries of many clients), capped. */
export function backoffMs(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(minMs + random() * (ceiling - minMs));
}
