import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
}
const Encoder = require('kafkajs/src/protocol/encoder.js') as {
  prototype: KafkajsEncoder;
  nextPowerOfTwo(value: number): number;
};

/** kafkajs' own method, kept so a test can check it is still the one this replaces. */
export const kafkajsEnsureAvailable = Encoder.prototype.ensureAvailable;

/** kafkajs' growth rule (the next power of two), without zero-filling the new buffer. */
function ensureAvailableUnfilled(this: KafkajsEncoder, length: number): void {
  const needed = this.offset + length;
  if (needed <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(needed));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
}

/**
 * kafkajs encodes a produce request in nested encoders (record, batch, partition, request), each
 * growing by doubling into a zero-filled `Buffer.alloc`, so a 4 MB request zero-fills tens of MB that
 * it then overwrites: about a tenth of ingest's CPU on realistic spans. An encoder only ever hands out
 * the bytes it wrote (`buf.slice(0, offset)`), so its new buffer need not be zeroed. kafkajs is pinned
 * (2.2.4, its last release); a unit test checks that the method replaced is still the one expected.
 */
export function useUnfilledEncoderGrowth(): void {
  Encoder.prototype.ensureAvailable = ensureAvailableUnfilled;
}
