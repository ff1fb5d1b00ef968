/**
 * A span's input or output as the client sent it: the UTF-8 bytes of a JSON string token in the
 * request body, kept unparsed (docs/WRITE-PATH.md §1). That token is already the JSON text ingest
 * stores for the value, so it need not be decoded into a JS string, re-encoded as JSON text, and
 * escaped into the Kafka record: only escaped once, natively (`escaped`).
 *
 * Only tokens whose JSON text is exactly what `JSON.stringify` would give for their value are kept
 * (`ofToken`), so what is stored does not depend on how a client escaped it: no `\u` or `\/` escapes,
 * no raw control characters (those are not JSON either), valid UTF-8 (checked on the whole body).
 */
export class JsonTextBytes {
  private constructor(
    /** The token, quotes included: the stored JSON text. */
    readonly bytes: Buffer,
    /** The token as a JSON string, each byte one latin1 character: written as latin1, the bytes of the Kafka record's token. */
    readonly escaped: string,
  ) {}

  /** A token kept as bytes, or undefined when it is not in `JSON.stringify`'s form (parse it then). */
  static ofToken(token: Buffer): JsonTextBytes | undefined {
    // Each byte as one character: JSON.stringify escapes `"`, `\` and controls and leaves bytes of
    // 0x80 and above alone, so the UTF-8 sequences come back unchanged when written as latin1.
    const latin1 = token.toString('latin1');
    if (notStringifyForm.test(latin1.slice(1, -1))) return undefined;
    return new JsonTextBytes(token, JSON.stringify(latin1));
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

/**
 * A raw control character (not JSON), or an escape `JSON.stringify` would not write: `\u…` (it writes
 * most characters raw), `\/`, or an invalid one. An escape starts at a backslash after an even run of
 * them (`\\` is an escaped backslash); the lookbehind anchors the run, so matching stays linear.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are what it looks for
const notStringifyForm = /[\x00-\x1f]|(?<!\\)(?:\\\\)*\\[^"\\bfnrt]/;

/**
 * Route config (`config.keepTexts`): where a route's body takes long strings as `JsonTextBytes`. Given
 * the parsed body, it passes the value at each such place through `take`, and stores what `take`
 * returns there: the bytes for a long string, the value itself otherwise. Long strings anywhere else
 * are parsed as usual.
 */
export type KeepTexts = (body: unknown, take: (value: unknown) => unknown) => void;
