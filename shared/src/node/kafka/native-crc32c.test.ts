import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { useNativeCrc32c } from './native-crc32c.js';

const require = createRequire(import.meta.url);

describe('useNativeCrc32c', () => {
  it("gives kafkajs the native CRC32C, with the same checksums as kafkajs' own", () => {
    const javascript = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;
    expect(useNativeCrc32c()).toBe(true);
    const used = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
    for (const size of [0, 1, 7, 64, 9_000, 100_003]) {
      const buffer = Buffer.from(Array.from({ length: size }, (_, i) => (i * 131 + size) & 255));
      expect(used(buffer)).toBe(javascript(buffer) >>> 0);
    }
  });
});
