import { randomBytes } from 'node:crypto';
import { isEscaped } from '@tracehouse/shared/node';

const quote = 0x22;

/** A body with its long strings cut out, each replaced by a placeholder string in the JSON text. */
export interface CutBody {
  /** The JSON text left, placeholders in place of the long strings. */
  json: string;
  /** Placeholder (as parsed) → the string token cut out, quotes included (a view of the body). */
  cut: Map<string, Buffer>;
}

/**
 * Cuts the string tokens of `minBytes` or more out of a JSON body, so that parsing the rest does not
 * decode them into JS strings. Tokens are found quote to quote (`indexOf` runs natively), a quote
 * preceded by an odd run of backslashes being inside a string. Outside strings, valid JSON has no
 * quotes or backslashes, so in a valid body these are exactly its strings; an invalid body stays
 * invalid with them cut, as what is cut is a string token to the parser either way. Placeholders carry
 * a random nonce, so no string the client sent can pass for one.
 */
export function cutLongStrings(raw: Buffer, minBytes: number): CutBody {
  const cut = new Map<string, Buffer>();
  const pieces: string[] = [];
  let nonce: string | undefined;
  let from = 0;
  for (let open = raw.indexOf(quote); open !== -1; ) {
    let close = raw.indexOf(quote, open + 1);
    while (close !== -1 && isEscaped(raw, close)) close = raw.indexOf(quote, close + 1);
    if (close === -1) break; // unterminated: the parser refuses it
    if (close + 1 - open >= minBytes && !isKey(raw, close + 1)) {
      nonce ??= randomBytes(9).toString('base64url');
      const placeholder = `\u0000${nonce}:${cut.size}`;
      pieces.push(raw.toString('utf8', from, open), `"\\u0000${nonce}:${cut.size}"`);
      cut.set(placeholder, raw.subarray(open, close + 1));
      from = close + 1;
    }
    open = raw.indexOf(quote, close + 1);
  }
  if (cut.size === 0) return { json: raw.toString('utf8'), cut };
  pieces.push(raw.toString('utf8', from));
  return { json: pieces.join(''), cut };
}

/** Whether a `:` follows (whitespace aside): the string is an object's key, which stays in the text. */
function isKey(raw: Buffer, from: number): boolean {
  let at = from;
  while (raw[at] === 0x20 || raw[at] === 0x0a || raw[at] === 0x0d || raw[at] === 0x09) at++;
  return raw[at] === 0x3a;
}
