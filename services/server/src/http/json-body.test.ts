import { JsonTextBytes } from '@tracehouse/shared/node';
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
    expect(() => parseJsonBody(Buffer.from(deep), () => {})).toThrow(`nested deeper than ${maxJsonDepth}`);
    const ok = `${'['.repeat(maxJsonDepth)}${']'.repeat(maxJsonDepth)}`;
    expect(jsonDepth(parseJsonBody(Buffer.from(ok)))).toBe(maxJsonDepth);
  });
});

describe('parseJsonBody with keepTexts', () => {
  const long = (text: string) => text.repeat(Math.ceil(1100 / text.length));
  // A route that takes `input` at the top level as bytes (as `keepSpanTexts` does).
  const keepInput = (body: unknown, take: (v: unknown) => unknown) => {
    const b = body as Record<string, unknown>;
    if (Object.hasOwn(b, 'input')) b.input = take(b.input);
  };
  const parse = (value: unknown) => parseJsonBody(Buffer.from(JSON.stringify(value)), keepInput);

  it('keeps a long string where the route takes it as the bytes of its JSON text', () => {
    for (const text of [long('plain '), long('naïve 🙂 "quoted" back\\slash\nline\ttab ')]) {
      const body = parse({ name: 'n', input: text, n: 1 }) as { input: JsonTextBytes; name: string };
      expect(body.input).toBeInstanceOf(JsonTextBytes);
      expect(body.input.text()).toBe(JSON.stringify(text));
      expect(body.input.value()).toBe(text);
      expect(body.name).toBe('n');
    }
  });

  it('gives back as strings long strings elsewhere: values, keys, array items, `__proto__`', () => {
    const text = long('elsewhere "x" ');
    const value = { name: text, meta: { [text]: [text, { deep: text }] }, short: 'ok', input: 'short' };
    expect(parse(value)).toEqual(value);
    const mixed = parse({ ...value, input: text }) as typeof value & { input: JsonTextBytes };
    expect(mixed.input.value()).toBe(text);
    expect({ ...mixed, input: text }).toEqual({ ...value, input: text });
    const proto = parseJsonBody(Buffer.from(`{"__proto__":${JSON.stringify(text)}}`), keepInput) as object;
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(text);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(parseJsonBody(Buffer.from(JSON.stringify(text)), keepInput)).toBe(text);
  });

  it('parses a long input a client escaped its own way into the string, as without keepTexts', () => {
    // `\u00e9` and `\/` are valid JSON that JSON.stringify would not write: stored as it would write.
    const raw = `{"input":"${long('caf\\u00e9 a\\/b ')}"}`;
    const body = parseJsonBody(Buffer.from(raw), keepInput) as { input: unknown };
    expect(body.input).toBe((JSON.parse(raw) as { input: string }).input);
  });

  it('refuses a long string that is not JSON, and invalid UTF-8, naming the body', () => {
    for (const bad of [
      `{"input":"${long('bad \\x escape ')}"}`,
      `{"input":"${long('raw \u0001 control ')}"}`,
    ]) {
      expect(() => parseJsonBody(Buffer.from(bad), keepInput)).toThrow(/^body: not valid JSON/);
    }
    const invalid = Buffer.concat([
      Buffer.from(`{"input":"${long('x')}`),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expect(() => parseJsonBody(invalid, keepInput)).toThrow('body: not valid UTF-8');
    const dropped = `{"meta":"${long('bad \\x ')}","meta":1}`;
    expect(() => parseJsonBody(Buffer.from(dropped), keepInput)).toThrow(/^body: not valid JSON/);
    expect(() => parseJsonBody(Buffer.from(`{"input":"${long('x')}`), keepInput)).toThrow(
      /^body: not valid JSON/,
    );
  });
});
