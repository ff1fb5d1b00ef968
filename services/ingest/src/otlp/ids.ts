import { createHash } from 'node:crypto';

/**
 * OTel ids → Tracehouse UUIDs (docs/OTLP.md). Tracehouse ids are RFC 9562 UUIDs (the API validates
 * them), and 32 random hex digits are not one: the version and variant bits are fixed. So both ids
 * become version-8 UUIDs (the version for custom layouts) that keep the OTel hex readable in place:
 *
 * - trace `0af7651916cd43dd8448eb211c80319c` → `0af76519-16cd-83dd-8448-eb211c80319c`: the same hex
 *   but the version digit (position 13) and the top two bits of the variant digit (position 17).
 * - span `b7ad6b7169203331` in that trace → `b7ad6b71-6920-8333-b1xx-xxxxxxxxxxxx`: the span id's 16
 *   hex digits in order (`8` and the variant digit interleaved), the rest from a hash of
 *   (trace id, span id), so the same span always gets the same UUID and equal span ids in two traces
 *   do not collide. A parent span id maps the same way, so a child finds its parent without a lookup.
 */

const hex32 = /^[0-9a-f]{32}$/;
const hex16 = /^[0-9a-f]{16}$/;

/** A trace id is valid when it is 16 bytes and not all zero (OTel's invalid id). */
export function isValidTraceId(hex: string): boolean {
  return hex32.test(hex) && !/^0+$/.test(hex);
}

/** A span id is valid when it is 8 bytes and not all zero. */
export function isValidSpanId(hex: string): boolean {
  return hex16.test(hex) && !/^0+$/.test(hex);
}

/** The RFC 9562 variant (`10xx`) on a hex digit, keeping its two low bits. */
const variant = (digit: string) => ((Number.parseInt(digit, 16) & 0x3) | 0x8).toString(16);

/** 32 hex digits (version and variant positions overwritten) as a version-8 UUID. */
function asUuidV8(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant(h[16]!)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function traceUuid(traceIdHex: string): string {
  return asUuidV8(traceIdHex);
}

export function spanUuid(traceIdHex: string, spanIdHex: string): string {
  const hash = createHash('sha256').update(`${traceIdHex}:${spanIdHex}`).digest('hex');
  // Positions 12 and 16 are overwritten by the version and variant, so the span id goes around them.
  const h = `${spanIdHex.slice(0, 12)}0${spanIdHex.slice(12, 15)}8${spanIdHex[15]}${hash.slice(0, 14)}`;
  return asUuidV8(h);
}
