import { describe, expect, it } from 'vitest';
import { cutLongStrings } from './long-strings.js';

describe('cutLongStrings', () => {
  it('cuts out exactly the long string values, escaped quotes and all, leaving keys and short ones', () => {
    const long = 'a "quoted" \\ tail\\'.repeat(10);
    const body = { [long]: 1, short: 'x"y', list: [long, 'z'], nested: { v: long } };
    const raw = Buffer.from(JSON.stringify(body, null, 1));
    const { json, cut } = cutLongStrings(raw, 100);
    expect(cut.size).toBe(2);
    for (const token of cut.values()) expect(token.toString()).toBe(JSON.stringify(long));
    // What is left parses with a placeholder in each place, and nothing else changed.
    const left = JSON.parse(json) as typeof body;
    const [first, second] = [...cut.keys()];
    expect(left).toEqual({ ...body, list: [first, 'z'], nested: { v: second } });
    expect(first?.startsWith('\u0000')).toBe(true);
  });

  it('leaves a body without long strings, or an unterminated one, as it is', () => {
    expect(cutLongStrings(Buffer.from('{"a":"b"}'), 100)).toEqual({ json: '{"a":"b"}', cut: new Map() });
    const open = `{"a":"${'x'.repeat(200)}`;
    expect(cutLongStrings(Buffer.from(open), 100).json).toBe(open);
  });

  it('names placeholders no client string can match: a fresh nonce per body', () => {
    const raw = Buffer.from(JSON.stringify({ v: 'y'.repeat(200) }));
    const [a] = cutLongStrings(raw, 100).cut.keys();
    const [b] = cutLongStrings(raw, 100).cut.keys();
    expect(a).not.toBe(b);
  });
});
