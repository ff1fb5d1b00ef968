import { describe, expect, it } from 'vitest';
import { jsonDepth, maxJsonDepth, parseJsonBody } from './json-body.js';

describe('parseJsonBody', () => {
  it('parses JSON, and an empty body is no body', () => {
    expect(parseJsonBody(Buffer.from('{"name":"x","n":[1,{"a":2}]}'))).toEqual({
      name: 'x',
      n: [1, { a: 2 }],
    });
    expect(parseJsonBody(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses invalid UTF-8, broken JSON and deep nesting, each naming the body', () => {
    expect(() => parseJsonBody(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toThrow('body: not valid UTF-8');
    expect(() => parseJsonBody(Buffer.from('{"a": '))).toThrow(/^body: not valid JSON/);
    const deep = `${'['.repeat(maxJsonDepth + 1)}${']'.repeat(maxJsonDepth + 1)}`;
    expect(() => parseJsonBody(Buffer.from(deep))).toThrow(`nested deeper than ${maxJsonDepth}`);
    const ok = `${'['.repeat(maxJsonDepth)}${']'.repeat(maxJsonDepth)}`;
    expect(jsonDepth(parseJsonBody(Buffer.from(ok)))).toBe(maxJsonDepth);
  });
});
