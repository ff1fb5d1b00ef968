import { createRequire } from 'node:module';
import { crc32c } from '@node-rs/crc32';
import { requestBuffers } from './reused-buffers.js';

const require = createRequire(import.meta.url);

/** The parts of kafkajs' `Encoder` (2.2.4) this file relies on and replaces. */
interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  /** Written bytes held by reference, in order, before `buf[tailStart, offset)` (absent: none). */
  parts?: Buffer[];
  partsBytes: number;
  tailStart: number;
  ensureAvailable(length: number): void;
  writeBufferInternal(buffer: Buffer): void;
  writeEncoder(value: KafkajsEncoder): KafkajsEncoder;
  writeEncoderArray(values: KafkajsEncoder[]): KafkajsEncoder;
  writeArray(values: unknown[], type?: string): KafkajsEncoder;
  writeInt8(value: number): KafkajsEncoder;
  writeInt16(value: number): KafkajsEncoder;
  writeInt32(value: number): KafkajsEncoder;
  writeUInt32(value: number): KafkajsEncoder;
  writeInt64(value: unknown): KafkajsEncoder;
  size(): number;
  readonly buffer: Buffer;
}
type EncoderClass = { new (): KafkajsEncoder; prototype: KafkajsEncoder };

const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
const recordBatchPath = require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js');
const produceV3Path = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
const Long = require('kafkajs/src/utils/long.js') as {
  fromInt(v: number): unknown;
  fromValue(v: number): unknown;
};

/** kafkajs' own methods, kept so a test can check what this replaces and compare bytes. */
const proto = Encoder.prototype;
export const kafkajsEncoderMethods = {
  writeBufferInternal: proto.writeBufferInternal,
  writeEncoder: proto.writeEncoder,
  buffer: Object.getOwnPropertyDescriptor(proto, 'buffer')!,
};

/** Buffers this large are referenced, not copied: record values, and the encoders holding them. */
const ropeMinBytes = 1024;

function cutTail(encoder: KafkajsEncoder): Buffer[] {
  if (!encoder.parts) {
    encoder.parts = [];
    encoder.partsBytes = 0;
    encoder.tailStart = 0;
  }
  if (encoder.offset > encoder.tailStart) {
    // A view: `buf` is only ever written past `offset`, or replaced by a larger copy when it grows.
    encoder.parts.push(encoder.buf.subarray(encoder.tailStart, encoder.offset));
    encoder.partsBytes += encoder.offset - encoder.tailStart;
    encoder.tailStart = encoder.offset;
  }
  return encoder.parts;
}

function writeBufferInternal(this: KafkajsEncoder, buffer: Buffer): void {
  if (buffer.length < ropeMinBytes) {
    kafkajsEncoderMethods.writeBufferInternal.call(this, buffer);
    return;
  }
  cutTail(this).push(buffer);
  this.partsBytes += buffer.length;
}

function writeEncoder(this: KafkajsEncoder, value: KafkajsEncoder): KafkajsEncoder {
  if (value == null || !Buffer.isBuffer(value.buf)) throw new Error('value should be an instance of Encoder');
  // kafkajs never writes to an encoder once it is written into another, so its bytes can be shared.
  for (const part of value.parts ?? []) this.writeBufferInternal(part);
  this.writeBufferInternal(value.buf.subarray(value.parts ? value.tailStart : 0, value.offset));
  return this;
}

function writeEncoderArray(this: KafkajsEncoder, values: KafkajsEncoder[]): KafkajsEncoder {
  if (!Array.isArray(values) || values.some((v) => v == null || !Buffer.isBuffer(v.buf))) {
    throw new Error('all values should be an instance of Encoder[]');
  }
  for (const value of values) this.writeEncoder(value);
  return this;
}

function size(this: KafkajsEncoder): number {
  return this.parts ? this.partsBytes + this.offset - this.tailStart : this.offset;
}

/**
 * The bytes in one buffer: the one copy of a request, made when the connection writes it, into a
 * buffer the socket gives back once written (`requestBuffers`).
 */
function flatten(this: KafkajsEncoder): Buffer {
  if (!this.parts) return this.buf.slice(0, this.offset);
  const flat = requestBuffers.take(this.partsBytes + this.offset - this.tailStart);
  let at = 0;
  for (const part of cutTail(this)) at += part.copy(flat, at);
  this.parts = undefined;
  this.buf = flat;
  this.offset = flat.length;
  return flat;
}

/** kafkajs' v0 record batch (magic 2) for uncompressed records, its checksum taken over the parts. */
function recordBatchOf(original: (args: RecordBatchArgs) => Promise<KafkajsEncoder>) {
  return async (args: RecordBatchArgs): Promise<KafkajsEncoder> => {
    const {
      compression = 0,
      firstOffset = Long.fromInt(0),
      firstTimestamp = Date.now(),
      maxTimestamp = Date.now(),
      partitionLeaderEpoch = 0,
      lastOffsetDelta = 0,
      transactional = false,
      producerId = Long.fromValue(-1),
      producerEpoch = 0,
      firstSequence = 0,
      records = [],
    } = args;
    if (compression !== 0) return original(args);
    const body = new Encoder()
      .writeInt16(transactional ? 16 : 0)
      .writeInt32(lastOffsetDelta)
      .writeInt64(firstTimestamp)
      .writeInt64(maxTimestamp)
      .writeInt64(producerId)
      .writeInt16(producerEpoch)
      .writeInt32(firstSequence);
    if (records.every((r) => typeof r === typeof records[0])) body.writeArray(records, typeof records[0]);
    else body.writeArray(records);
    let crc = 0;
    for (const part of body.parts ?? []) crc = crc32c(part, crc);
    crc = crc32c(body.buf.subarray(body.parts ? body.tailStart : 0, body.offset), crc) >>> 0;
    const batch = new Encoder()
      .writeInt32(partitionLeaderEpoch)
      .writeInt8(2)
      .writeUInt32(crc)
      .writeEncoder(body);
    // `writeBytes(batch.buffer)` in kafkajs: the length, then the bytes.
    return new Encoder().writeInt64(firstOffset).writeInt32(batch.size()).writeEncoder(batch);
  };
}
interface RecordBatchArgs {
  compression?: number;
  firstOffset?: unknown;
  firstTimestamp?: number;
  maxTimestamp?: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records?: KafkajsEncoder[];
}

/**
 * kafkajs encodes a produce request in nested encoders (record, batch, partition, topic, request),
 * each copying what the one inside it wrote, and the record batch twice more (for its checksum and as
 * bytes): every byte of a realistic span was copied about seven times, a tenth of ingest's CPU. Here
 * large buffers are referenced instead of copied (a rope), the checksum runs over the pieces, and the
 * request is made one buffer once, when the connection writes it. Same bytes (unit test), and every
 * produce goes through a broker that checks each batch's CRC. kafkajs is pinned at 2.2.4, its last
 * release. Returns false when the produce request was loaded before (it keeps kafkajs' batches).
 */
export function useRopeEncoder(): boolean {
  const batches = require(recordBatchPath) as {
    RecordBatch: (args: RecordBatchArgs) => Promise<KafkajsEncoder>;
    ropeOriginal?: (args: RecordBatchArgs) => Promise<KafkajsEncoder>;
  };
  if (!batches.ropeOriginal) {
    if (require.cache[produceV3Path]) return false;
    batches.ropeOriginal = batches.RecordBatch;
    batches.RecordBatch = recordBatchOf(batches.ropeOriginal);
  }
  proto.writeBufferInternal = writeBufferInternal;
  proto.writeEncoder = writeEncoder;
  proto.writeEncoderArray = writeEncoderArray;
  proto.size = size;
  Object.defineProperty(proto, 'buffer', { get: flatten, configurable: true });
  return true;
}
