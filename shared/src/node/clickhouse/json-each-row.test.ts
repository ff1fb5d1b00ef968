import { describe, expect, it } from 'vitest';
import { encodeJsonEachRow, isJsonStringToken, JsonLiteral } from './json-each-row.js';

/** Each line's row (column order is free in JSONEachRow); every line ends in a newline. */
const rowsOf = (body: Buffer) => {
  const text = body.toString();
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
};

describe('encodeJsonEachRow', () => {
  const texts = ['{"a":"naïve 🙂"}', '"with \\"quotes\\" and \\\\"', ''];

  it('writes tokens where the texts would be, the same rows as JSON.stringify writes', () => {
    const rows = texts.map((t, i) => ({
      id: i,
      input: t,
      output: i === 1 ? null : `"${i}"`,
      tags: { k: 'v' },
    }));
    const withTokens = rows.map((r) => ({
      ...r,
      input: JsonLiteral.of(r.input),
      output: r.output === null ? null : JsonLiteral.of(r.output),
    }));
    expect(rowsOf(encodeJsonEachRow(withTokens, ['input', 'output']))).toEqual(rows);
    // Rows mixing strings and tokens, and keys outside the list left to JSON.stringify.
    const mixed = [{ ...rows[0]!, input: JsonLiteral.of(rows[0]!.input) }, rows[1]!];
    expect(rowsOf(encodeJsonEachRow(mixed, ['input']))).toEqual([rows[0], rows[1]]);
  });

  it('shows a token as its text in JSON (dead letters, logs)', () => {
    expect(JSON.stringify({ input: JsonLiteral.of(texts[1]!) })).toBe(JSON.stringify({ input: texts[1] }));
  });
});

describe('isJsonStringToken', () => {
  it('accepts one JSON string and nothing that could close it early', () => {
    for (const t of samples()) expect(isJsonStringToken(Buffer.from(JSON.stringify(t)))).toBe(true);
    for (const bad of [
      '',
      '"',
      'x"',
      '"x',
      '"a","b"',
      '"a\\"',
      '"a\\\\"b"',
      '"a" ',
      '"a","deleted":1,"x":"',
    ]) {
      expect(isJsonStringToken(Buffer.from(bad)), bad).toBe(false);
    }
    expect(isJsonStringToken(Buffer.from('"a\\\\"'))).toBe(true);
  });
});

function samples(): string[] {
  return ['', 'plain', 'say "hi"', 'back\\slash\\', '\\"', '{"json":["in","text"]}', 'ünïcödé 🙂'];
}
