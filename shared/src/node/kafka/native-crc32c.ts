import { createRequire, Module } from 'node:module';
import { crc32c } from '@node-rs/crc32';

const require = createRequire(import.meta.url);
const kafkajsCrc32c = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js');

/** kafkajs' contract for the module: an unsigned CRC32C of the buffer. */
const native = (buffer: Buffer): number => crc32c(buffer) >>> 0;

/**
 * kafkajs checksums every record batch it produces with a CRC32C written in JavaScript: about 30 µs per
 * 9 KB span here, a tenth of ingest's CPU. The native one of `@node-rs/crc32` takes under 1 µs. kafkajs
 * has no option for it and loads that module lazily, on the first produce, so the module is put in the
 * CommonJS cache before that. Same checksums (unit test). Returns whether kafkajs uses the native one.
 */
export function useNativeCrc32c(): boolean {
  const cached = require.cache[kafkajsCrc32c];
  if (cached) return cached.exports === native;
  const module = new Module(kafkajsCrc32c);
  module.filename = kafkajsCrc32c;
  module.exports = native;
  module.loaded = true;
  require.cache[kafkajsCrc32c] = module;
  return true;
}
