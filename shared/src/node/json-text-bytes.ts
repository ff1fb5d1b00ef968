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
    /** The token as a JSON string, a latin1 character per byte: as latin1, the Kafka record's token. */
    readonly escaped: string,
  ) {}

  /** A token kept as bytes, or undefined when it is not in `JSON.stringify`'s form (parse it then). */
  static ofToken(token: Buffer): JsonTextBytes | undefined {
    const last = token.length - 1;
    if (last < 1 || token[0] !== quote || token[last] !== quote) return undefined;
    // Escapes: only those JSON.stringify writes (`\u…` and `\/` are valid JSON it does not write),
    // counting the characters JSON.stringify will escape again below.
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
    // Each byte as one character: JSON.stringify escapes `"`, `\` and controls and leaves bytes of
    // 0x80 and above alone, so the UTF-8 sequences come back unchanged when written as latin1. A raw
    // control character (not JSON) is one it escapes beyond those counted.
    const latin1 = token.toString('latin1');
    const escaped = JSON.stringify(latin1);
    if (escaped.length !== latin1.length + 2 + again) return undefined;
    return new JsonTextBytes(token, escaped);
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
 * Route config (`config.keepTexts`): where a route's body takes long strings as `JsonTextBytes`. Given
 * the parsed body, it passes the value at each such place through `take`, and stores what `take`
 * returns there: the bytes for a long string, the value itself otherwise. Long strings anywhere else
 * are parsed as usual.
 */
export type KeepTexts = (body: unknown, take: (value: unknown) => unknown) => void;
