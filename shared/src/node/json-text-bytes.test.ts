import { describe, expect, it } from 'vitest';
import { hasControlByte, JsonTextBytes } from './json-text-bytes.js';

describe('JsonTextBytes', () => {
  it('keeps a token in the form JSON.stringify writes, and escapes it as JSON.stringify would', () => {
    const values = [
      '',
      'plain',
      'naïve "quoted" back\\slash 🙂\n\t\r\b\f',
      '\u2028 \u007f',
      'c:\\u\\x\\',
      '\\"\\"\n\\',
      '\\\\\\\\"',
    ];
    for (const value of values) {
      const token = JSON.stringify(value);
      const kept = JsonTextBytes.ofToken(Buffer.from(token))!;
      expect(kept.text()).toBe(token);
      expect(kept.value()).toBe(value);
      expect(kept.length).toBe(Buffer.byteLength(token));
      const escaped = Buffer.alloc(kept.escapedLength + 4, '#');
      expect(kept.writeEscaped(escaped, 2)).toBe(kept.escapedLength);
      expect(escaped.toString()).toBe(`##${JSON.stringify(token)}##`);
      expect(JSON.stringify({ input: kept })).toBe(JSON.stringify({ input: token }));
    }
  });

  it('leaves to the parser tokens in another form: \\u and \\/ escapes, bad escapes, raw controls', () => {
    for (const token of [
      '"caf\\u00e9"',
      '"a\\/b"',
      '"bad \\x"',
      '"raw \u0001"',
      '"raw tab\t and newline\n"',
      '"raw \u001f last"',
      '"\\\\\\u00e9"',
      '"a\\"',
      'x"a"',
    ]) {
      expect(JsonTextBytes.ofToken(Buffer.from(token)), token).toBeUndefined();
    }
  });

  it('finds a raw control byte at any position and alignment, and none in text above 0x1f', () => {
    // UTF-8 above 0x7f, space (0x20) and DEL (0x7f) next to the boundary, at every offset into the
    // underlying memory (the check reads aligned 4-byte words between a head and a tail).
    const text = Buffer.from('é \u007f~ 🙂 naïve text that is long enough for several words ');
    const memory = Buffer.alloc(text.length + 8);
    for (let offset = 0; offset < 4; offset++) {
      for (let length = 0; length <= text.length; length++) {
        const bytes = memory.subarray(offset, offset + length);
        text.copy(bytes, 0, 0, length);
        expect(hasControlByte(bytes), `offset ${offset}, length ${length}`).toBe(false);
        for (let at = 0; at < length; at++) {
          for (const control of [0x00, 0x01, 0x0a, 0x1f]) {
            const kept = bytes[at]!;
            bytes[at] = control;
            expect(hasControlByte(bytes), `${control} at ${at} of ${length}, offset ${offset}`).toBe(true);
            bytes[at] = kept;
          }
        }
      }
    }
  });
});
