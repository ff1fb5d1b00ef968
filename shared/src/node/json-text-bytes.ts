/**
 * A span's input or output as the client sent it: the UTF-8 bytes of a JSON string token in the
 * request body, kept unparsed (docs/WRITE-PATH.md §1). That token is already the JSON text ingest
 * stores for the value, so it need not be decoded into a JS string, re-encoded as JSON text, and
 * escaped into the Kafka record: only escaped once, by copying the bytes between its escapes
 * (`writeEscaped`).
 *
 * Only tokens whose JSON text is exactly what `JSON.stringify` would give for their value are kept
 * (`ofToken`), so what is stored does not depend on how a client escaped it: no `\u` or `\/` escapes,
 * no raw control characters (those are not JSON either), valid UTF-8 (checked on the whole body).
 */
export class JsonTextBytes {
  private constructor(
    /** The token, quotes included: the stored JSON text. */
    readonly bytes: Buffer,
    /** Bytes of the token written as a JSON string (`writeEscaped`): the Kafka record's token. */
    readonly escapedLength: number,
  ) {}

  /** A token kept as bytes, or undefined when it is not in `JSON.stringify`'s form (parse it then). */
  static ofToken(token: Buffer): JsonTextBytes | undefined {
    const last = token.length - 1;
    if (last < 1 || token[0] !== quote || token[last] !== quote) return undefined;
    // Escapes: only those JSON.stringify writes (`\u…` and `\/` are valid JSON it does not write),
    // counting the characters written as escapes again (`writeEscaped`).
    let again = 2; // the token's own quotes
    for (
      let at = token.indexOf(backslash, 1);
      at !== -1 && at < last;
      at = token.indexOf(backslash, at + 2)
    ) {
      const next = token[at + 1]!;
      if (at + 1 === last || !shortEscapes.has(next)) return undefined;
      again += next === backslash || next === quote ? 2 : 1;
    }
    // A raw control character is not JSON.
    if (hasControlByte(token)) return undefined;
    return new JsonTextBytes(token, token.length + 2 + again);
  }

  /**
   * Writes the token as a JSON string at `at` (`escapedLength` bytes), byte for byte what
   * `JSON.stringify` gives for the token read as latin1: its quotes and backslashes escaped, the
   * UTF-8 bytes above 0x7f left alone (so, read back as UTF-8, the string is the stored JSON text).
   * Quotes inside a kept token always follow a backslash, so escaping from each backslash covers them.
   */
  writeEscaped(target: Buffer, at: number): number {
    const token = this.bytes;
    const last = token.length - 1;
    let to = at + target.write('"\\"', at, 'latin1');
    let from = 1;
    for (let b = token.indexOf(backslash, 1); b !== -1 && b < last; b = token.indexOf(backslash, b + 2)) {
      to += token.copy(target, to, from, b);
      const next = token[b + 1]!;
      // `\\` → `\\\\`, `\"` → `\\\"`, `\n` → `\\n`
      target[to++] = backslash;
      target[to++] = backslash;
      if (next === backslash || next === quote) target[to++] = backslash;
      target[to++] = next;
      from = b + 2;
    }
    to += token.copy(target, to, from, last);
    to += target.write('\\""', to, 'latin1');
    return to - at;
  }

  /** Bytes of the stored text (what size limits count). */
  get length(): number {
    return this.bytes.length;
  }

  /** The stored JSON text. */
  text(): string {
    return this.bytes.toString('utf8');
  }

  /** The value the client sent (a string), for answers that quote the request. */
  value(): string {
    return JSON.parse(this.text()) as string;
  }

  /** An event holding it reads as the event with the text (logs, dead letters). */
  toJSON(): string {
    return this.text();
  }
}

const backslash = 0x5c;
const quote = 0x22;
/** The escapes JSON.stringify writes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`. */
const shortEscapes = new Set([quote, backslash, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/**
 * Whether any byte is under 0x20 (a raw control character), four bytes at a time: a word holds a byte
 * under n (n <= 128) exactly when `(x - n * 0x01010101) & ~x & 0x80808080` is not zero (a borrow only
 * marks bytes above one that is under n, so the answer is exact). 1.7–2.2 µs for 4.5 KB, against
 * 4–8 for the regular expression over the bytes as latin1 it replaced, which also copied every token
 * into a string first (about 7 % of ingest's CPU for realistic spans, profiled).
 */
export function hasControlByte(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = 0;
  // Byte by byte up to a 4-byte boundary: a Uint32Array view must be aligned.
  for (const head = Math.min(n, (4 - (bytes.byteOffset & 3)) & 3); i < head; i++)
    if (bytes[i]! < 0x20) return true;
  const words = (n - i) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w++) {
      const x = view[w]!;
      if (((x - 0x20202020) & ~x & 0x80808080) !== 0) return true;
    }
    i += words * 4;
  }
  for (; i < n; i++) if (bytes[i]! < 0x20) return true;
  return false;
}

/**
 * Route config (`config.keepTexts`): where a route's body takes long strings as `JsonTextBytes`. Given
 * the parsed body, it passes the value at each such place through `take`, and stores what `take`
 * returns there: the bytes for a long string, the value itself otherwise. Long strings anywhere else
 * are parsed as usual.
 */
export type KeepTexts = (body: unknown, take: (value: unknown) => unknown) => void;
