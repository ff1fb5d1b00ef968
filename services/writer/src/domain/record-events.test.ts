import { topicNames } from '@tracehouse/shared';
import { encodeTraceEvent, encodeTraceRecord, JsonLiteral, tokenMinChars } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import type { Pending } from './batch-buffer.js';
import { decodeBatch, decodeRecord } from './record-events.js';

const topics = topicNames('t');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const upsert = (n: number, fields: object) => ({
  v: 1,
  kind: 'span.upsert',
  version: 10,
  project_id: id(1),
  id: id(n),
  trace_id: id(2),
  received_at: '2026-12-02T00:00:00.000000Z',
  fields,
});

/** A record as ingest sends it: tokens for inputs and outputs, and the io header. */
function record(...events: object[]): Pending {
  const { value, io } = encodeTraceRecord(events.map(encodeTraceEvent));
  return { topic: topics.spans, partition: 0, offset: '0', key: id(2), value, ...(io ? { io } : {}) };
}

describe('decodeBatch with tokens', () => {
  it('validates the rest and keeps inputs and outputs as views of their tokens', () => {
    const input = JSON.stringify({ q: 'naïve', pad: '.'.repeat(tokenMinChars) });
    const output = JSON.stringify('done'.padEnd(tokenMinChars, '.'));
    const source = record(upsert(3, { name: 'a', input, output }));
    const [decoded] = decodeBatch([source], topics).traceEvents;
    const fields = (decoded!.event as { fields: { input: unknown; output: unknown } }).fields;
    expect(fields.input).toBeInstanceOf(JsonLiteral);
    expect((fields.input as JsonLiteral).text()).toBe(input);
    expect((fields.output as JsonLiteral).text()).toBe(output);
    // A view, not a copy: the batch holds the value, and nothing keeps a token past its batch.
    expect((fields.input as JsonLiteral).bytes.buffer).toBe(source.value!.buffer);
  });

  it('refuses a bad event alone, and its dead letter shows its input as text', () => {
    const good = upsert(3, { name: 'a', input: JSON.stringify('kept'.padEnd(tokenMinChars)) });
    const bad = upsert(4, { input: JSON.stringify('no name'.padEnd(tokenMinChars)) });
    const out = decodeBatch([record(good, bad)], topics);
    expect(out.traceEvents).toHaveLength(1);
    expect(out.refused).toHaveLength(1);
    expect(out.refused[0]!.index).toBe(1);
    expect(JSON.parse(JSON.stringify(out.refused[0]!.event))).toEqual(bad);
  });

  it('refuses the whole record when its io header does not fit the value', () => {
    const source = record(upsert(3, { name: 'a', input: JSON.stringify('x'.repeat(tokenMinChars)) }));
    const out = decodeBatch([{ ...source, io: '1,3' }], topics);
    expect(out.traceEvents).toHaveLength(0);
    expect(out.refused.map((r) => r.index)).toEqual([-1]);
  });
});

describe('decodeBatch of messages decoded as they arrived', () => {
  it('takes their events as decoded, in message order, beside messages it decodes itself', () => {
    const first = record(upsert(3, { name: 'a' }));
    const second = record(upsert(4, { name: 'b' }), upsert(5, { name: 'c' }));
    const early = { ...first, decoded: decodeRecord(first, topics) };
    const out = decodeBatch([early, second], topics);
    expect(out.traceEvents.map((e) => (e.event as { id: string }).id)).toEqual([id(3), id(4), id(5)]);
    // The very events decoded on arrival, not a second decoding.
    expect(out.traceEvents[0]!.event).toBe(early.decoded.traceEvents[0]!.event);
    expect(out.traceEvents[0]!.source).toBe(first);
  });
});
