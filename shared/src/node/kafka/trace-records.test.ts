import { describe, expect, it } from 'vitest';
import { JsonLiteral } from '../clickhouse/json-each-row.js';
import { JsonTextBytes } from '../json-text-bytes.js';
import { decodeTraceRecord, encodeTraceEvent, encodeTraceRecord, tokenMinChars } from './trace-records.js';

/** A JSON string text long enough to travel as a token. */
const long = (text: string) => JSON.stringify(text.padEnd(tokenMinChars, '.'));

const upsert = (fields: Record<string, unknown>) => ({
  v: 1,
  kind: 'span.upsert',
  id: 'a',
  trace_id: 't',
  fields,
});

/** Events as a reader of the whole JSON sees them, inputs and outputs as texts. */
const asTexts = (events: unknown[]) => JSON.parse(JSON.stringify(events)) as unknown[];

describe('trace records', () => {
  const events = [
    upsert({
      name: 'root',
      input: JSON.stringify({ q: 'naïve "quoted" 🙂', pad: '.'.repeat(tokenMinChars) }),
      output: long('line\nbreak'),
      meta: { k: 'v' },
    }),
    upsert({ input: long('only input') }),
    upsert({ name: 'cleared', input: null, output: long('x') }),
    upsert({ name: 'short input stays in the JSON', input: '"short"', output: long('y') }),
    { v: 1, kind: 'metric.create', trace_id: 't', span_id: 'a', fields: { value: 2 } },
    { v: 1, kind: 'span.delete', id: 'b', trace_id: 't' },
  ];

  it('is plain JSON of the same events, so earlier readers read it whole', () => {
    const { value } = encodeTraceRecord(events.map(encodeTraceEvent));
    expect(JSON.parse(value.toString('utf8'))).toEqual(events);
  });

  it('gives back every event, with inputs and outputs as tokens of their texts', () => {
    const { value, io } = encodeTraceRecord(events.map(encodeTraceEvent));
    expect(io?.split(',')).toHaveLength(10);
    const decoded = decodeTraceRecord(value, io);
    expect(asTexts(decoded)).toEqual(events);
    const first = (decoded[0] as { fields: { input: JsonLiteral } }).fields.input;
    expect(first).toBeInstanceOf(JsonLiteral);
    expect(first.bytes.toString()).toBe(
      JSON.stringify((events[0] as unknown as { fields: { input: string } }).fields.input),
    );
    expect((decoded[2] as { fields: { input: unknown } }).fields.input).toBeNull();
    expect((decoded[3] as { fields: { input: unknown } }).fields.input).toBe('"short"');
  });

  it('writes its value into the buffer it is given', () => {
    const given: Buffer[] = [];
    const { value } = encodeTraceRecord(events.map(encodeTraceEvent), (size) => {
      given.push(Buffer.alloc(size + 100).subarray(0, size));
      return given.at(-1)!;
    });
    expect(given).toHaveLength(1);
    expect(value).toBe(given[0]);
    expect(JSON.parse(value.toString('utf8'))).toEqual(events);
  });

  it('gives tokens as views into the value, not copies of it', () => {
    const { value, io } = encodeTraceRecord(events.map(encodeTraceEvent));
    const decoded = decodeTraceRecord(value, io);
    const tokens = decoded.flatMap((e) => {
      const fields = (e as { fields?: Record<string, unknown> }).fields ?? {};
      return [fields.input, fields.output].filter((t): t is JsonLiteral => t instanceof JsonLiteral);
    });
    expect(tokens).toHaveLength(5);
    for (const t of tokens) expect(t.bytes.buffer).toBe(value.buffer);
  });

  it('writes a text a request kept as bytes exactly as the same text as a string', () => {
    const texts = [long('naïve "quoted" \\ back 🙂 \n'), JSON.stringify('x'.repeat(700_000))];
    for (const text of texts) {
      const bytes = JsonTextBytes.ofToken(Buffer.from(text))!;
      expect(bytes).toBeInstanceOf(JsonTextBytes);
      const asBytes = encodeTraceRecord([encodeTraceEvent(upsert({ name: 'n', input: bytes }))]);
      const asString = encodeTraceRecord([encodeTraceEvent(upsert({ name: 'n', input: text }))]);
      expect(asBytes.value.equals(asString.value)).toBe(true);
      expect(asBytes.io).toBe(asString.io);
    }
  });

  it('keeps large and many tokens apart (own buffers, several pools)', () => {
    const big = upsert({ name: 'big', input: JSON.stringify('x'.repeat(600_000)), output: '"y"' });
    const many = Array.from({ length: 30 }, (_, i) =>
      upsert({ name: `s${i}`, input: JSON.stringify(`${i}`.repeat(100_000)) }),
    );
    const all = [big, ...many];
    const { value, io } = encodeTraceRecord(all.map(encodeTraceEvent));
    expect(asTexts(decodeTraceRecord(value, io))).toEqual(all);
  });

  it('reads records without the header (no texts, or an earlier version) whole', () => {
    const noTexts = encodeTraceRecord([encodeTraceEvent(events[4]!)]);
    expect(noTexts.io).toBeUndefined();
    expect(decodeTraceRecord(noTexts.value, undefined)).toEqual([events[4]]);
    const earlier = Buffer.from(JSON.stringify(events[0]));
    expect(decodeTraceRecord(earlier, undefined)).toEqual([events[0]]);
  });

  it('refuses a header that does not fit the value', () => {
    const { value, io } = encodeTraceRecord([encodeTraceEvent(events[0]!)]);
    const [s1, l1, s2, l2] = io!.split(',').map(Number) as [number, number, number, number];
    const refused = (header: string) => expect(() => decodeTraceRecord(value, header)).toThrow(SyntaxError);
    refused(`${s1},${l1},${s2}`);
    refused(`${s1},${l1},${s2},${value.length}`);
    refused(`${s2},${l2},${s1},${l1}`);
    refused(`${s1 + 1},${l1 - 1}`);
    // A range over a meta string: not an input or output.
    const meta = value.indexOf('"v"');
    refused(`${meta},3,${s1},${l1},${s2},${l2}`);
    // One range too few is an output left in the JSON, as an earlier version sends it.
    expect(asTexts(decodeTraceRecord(value, `${s1},${l1}`))).toEqual([events[0]]);
  });
});
