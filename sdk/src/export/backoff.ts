import { TracehouseError } from '../errors.js';

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

/**
 * How long to wait before attempt `attempt + 1`: our backoff, or longer if the server asked
 * (`Retry-After`). Capped at `maxMs` so a proxy's absurd Retry-After cannot stall export for hours while
 * the buffer fills; `maxAttempts` still bounds the total.
 */
export function retryDelayMs(
  err: unknown,
  attempt: number,
  minMs: number,
  maxMs: number,
  random?: () => number,
): number {
  const askedMs = err instanceof TracehouseError ? (err.retryAfterSeconds ?? 0) * 1000 : 0;
  return Math.min(maxMs, Math.max(askedMs, backoffMs(attempt, minMs, maxMs, random)));
}
