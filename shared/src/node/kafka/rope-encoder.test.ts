import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { kafkajsEncoderMethods, useRopeEncoder } from './rope-encoder.js';

const require = createRequire(import.meta.url);
const produceV3Path = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
type Encoded = { buffer: Buffer; parts?: Buffer[] };
const frame = require('kafkajs/src/protocol/request.js') as (args: object) => Promise<Encoded>;
const crc32cInJavaScript = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (
  b: Buffer,
) => number;

/** Records of every kind the encoder meets: small and large values, keys, headers, a null value. */
function messages(partition: number) {
  return Array.from({ length: 40 }, (_, i) => ({
    key: `trace-${partition}-${i}`,
    value:
      i === 7
        ? null
        : Buffer.from(`[{"i":${i},"text":"${'é-'.repeat((i * 977 + partition * 131) % 20_000)}"}]`),
    headers: i % 3 === 0 ? { project: `p${i}`, io: '12,34' } : {},
    timestamp: 1_765_000_000_000 + i,
  }));
}

async function encodeProduceRequest(): Promise<Encoded> {
  const produce = require(produceV3Path) as (args: object) => { encode(): Promise<Encoded> };
  const request = produce({
    acks: -1,
    timeout: 30_000,
    producerId: 4242,
    producerEpoch: 3,
    topicData: ['spans', 'metrics'].map((topic) => ({
      topic,
      partitions: [0, 1, 2].map((partition) => ({
        partition,
        firstSequence: partition * 40,
        messages: messages(partition),
      })),
    })),
  });
  return frame({
    correlationId: 17,
    clientId: 'rope-test',
    request: { apiKey: 0, apiVersion: 3, ...request },
  });
}

describe('useRopeEncoder', () => {
  it('encodes a produce request to the same bytes as kafkajs 2.2.4, referencing large values once', async () => {
    // The methods replaced are kafkajs' copying ones.
    expect(kafkajsEncoderMethods.writeEncoder.toString()).toMatch(/writeBufferInternal\(value\.buffer\)/);
    expect(kafkajsEncoderMethods.buffer.get?.toString()).toMatch(/this\.buf\.slice\(0, this\.offset\)/);
    const before = Buffer.from((await encodeProduceRequest()).buffer);
    expect(before.length).toBeGreaterThan(2_000_000);

    // A produce request loaded before keeps kafkajs' record batches; loaded after, it takes the new ones.
    expect(useRopeEncoder()).toBe(false);
    delete require.cache[produceV3Path];
    expect(useRopeEncoder()).toBe(true);

    const encoded = await encodeProduceRequest();
    // Until the connection asks for it, the request holds the record values themselves.
    expect(encoded.parts?.length).toBeGreaterThan(200);
    const after = encoded.buffer;
    expect(after.length).toBe(before.length);
    expect(after.equals(before)).toBe(true);
  });

  it("checksums each record batch over its pieces as kafkajs' JavaScript CRC32C does over the whole", async () => {
    useRopeEncoder();
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
      RecordBatch: (args: object) => Promise<Encoded>;
    };
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (m: object) => unknown;
    const records = messages(5).map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: i }));
    const batch = (await RecordBatch({ records, firstTimestamp: 1, maxTimestamp: 40, lastOffsetDelta: 39 }))
      .buffer;
    // firstOffset (8), length (4), partition leader epoch (4), magic (1), then the CRC of what follows.
    expect(batch.readInt32BE(8)).toBe(batch.length - 12);
    expect(batch.readUInt32BE(17)).toBe(crc32cInJavaScript(batch.subarray(21)) >>> 0);
  });
});
