import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { kafkajsEnsureAvailable, useUnfilledEncoderGrowth } from './encoder-growth.js';

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeInt32(v: number): unknown;
  writeVarIntBytes(v: Buffer | string): unknown;
  writeEncoder(e: unknown): unknown;
  buffer: Buffer;
};

describe('useUnfilledEncoderGrowth', () => {
  it('replaces the zero-filling growth kafkajs 2.2.4 has, and encodes the same bytes', () => {
    // The method replaced: grows to the next power of two with Buffer.alloc and copies what was written.
    expect(kafkajsEnsureAvailable.toString()).toMatch(/Buffer\.alloc\(newLength\)[\s\S]*this\.buf\.copy/);
    const encode = () => {
      const inner = new Encoder();
      for (let i = 0; i < 300; i++) inner.writeVarIntBytes(`value ${i} `.repeat(i));
      const outer = new Encoder();
      outer.writeInt32(7);
      outer.writeEncoder(inner);
      return Buffer.from(outer.buffer);
    };
    const before = encode();
    useUnfilledEncoderGrowth();
    expect(encode().equals(before)).toBe(true);
    expect(before.length).toBeGreaterThan(100_000);
  });
});
