import { describe, expect, it } from 'vitest';
import { JsonTextBytes } from './json-text-bytes.js';

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
});
