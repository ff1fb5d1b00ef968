import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { InsertBody, InsertBodyPool } from './insert-bodies.js';

/**
 * A stored text (a span's input or output: JSON text in a String column) held as the bytes of its
 * JSON string token, quotes included: exactly what a `JSONEachRow` row carries for it. Ingest makes
 * that token once and the writer copies its bytes from the Kafka record into the insert, never
 * decoding it into a JS string or escaping it again (docs/WRITE-PATH.md §1).
 */
export class JsonLiteral {
  constructor(readonly bytes: Buffer) {}

  /** From a text: its JSON string token. */
  static of(text: string): JsonLiteral {
    return new JsonLiteral(Buffer.from(JSON.stringify(text)));
  }

  /** Bytes held; what caches count it as. */
  get length(): number {
    return this.bytes.length;
  }

  /** The text itself (dead letters and logs show the value, not bytes). */
  text(): string {
    return JSON.parse(this.bytes.toString('utf8')) as string;
  }

  toJSON(): string {
    return this.text();
  }
}

/** A stored text as a JS string (read back from ClickHouse, or from a record of an earlier version) or as a token. */
export type StoredText = string | JsonLiteral;

/** The columns of spans and trace summaries that hold stored texts. */
export const storedTextColumns = ['input', 'output'] as const;

const quote = 0x22;
const backslash = 0x5c;

/** Whether the byte at `at` is escaped: an odd run of backslashes before it (inside a JSON string). */
export function isEscaped(bytes: Buffer, at: number): boolean {
  let slashes = 0;
  while (bytes[at - 1 - slashes] === backslash) slashes++;
  return slashes % 2 === 1;
}

/**
 * True when the bytes are one JSON string token: quoted, every quote inside escaped. Checked before a
 * token from a Kafka record is spliced into an insert, so it can never close the string early and add
 * columns of its own; other malformations are refused by ClickHouse, and the writer bisects to them.
 */
export function isJsonStringToken(bytes: Buffer): boolean {
  const last = bytes.length - 1;
  if (last < 1 || bytes[0] !== quote || bytes[last] !== quote) return false;
  for (let at = bytes.indexOf(quote, 1); at !== -1; at = bytes.indexOf(quote, at + 1)) {
    if (!isEscaped(bytes, at)) return at === last;
  }
  return false;
}

/**
 * `JSONEachRow` bytes for rows whose `literalKeys` may hold `JsonLiteral`s: the other columns go
 * through `JSON.stringify`, the tokens are copied in as they are. Returns a view of `body`; with
 * `lineEnds`, pushes where each row's line ends (its newline included) in it.
 */
export function encodeJsonEachRow(
  rows: readonly object[],
  literalKeys: readonly string[],
  body = new InsertBody(),
  lineEnds?: number[],
): Buffer {
  for (const row of rows) {
    const values = row as Record<string, unknown>;
    const tokens: [string, JsonLiteral][] = [];
    for (const key of literalKeys) {
      const value = values[key];
      if (value instanceof JsonLiteral) tokens.push([key, value]);
    }
    if (tokens.length === 0) {
      body.writeText(`${JSON.stringify(row)}\n`);
      lineEnds?.push(body.length);
      continue;
    }
    const plain: Record<string, unknown> = { ...values };
    for (const [key] of tokens) plain[key] = undefined; // JSON.stringify leaves undefined out
    const head = JSON.stringify(plain);
    let separator = head === '{}' ? '' : ',';
    body.writeText(head.slice(0, -1));
    for (const [key, token] of tokens) {
      body.writeText(`${separator}"${key}":`);
      body.writeBytes(token.bytes);
      separator = ',';
    }
    body.writeText('}\n');
    lineEnds?.push(body.length);
  }
  return body.bytes();
}

const insertBodies = new InsertBodyPool();

/**
 * Told the lines of rows ClickHouse stored (`lines`, row `i` ending at `lineEnds[i]`), before their
 * bytes are reused: what keeps a copy of a stored row without encoding it again (the writer's cache).
 */
export type StoredLines = (lines: Buffer, lineEnds: readonly number[]) => void;

/** Inserts rows as `JSONEachRow` bytes (`encodeJsonEachRow`); `table` is a constant of ours. */
export async function insertJsonEachRow(
  client: ClickHouseClient,
  table: string,
  rows: readonly object[],
  literalKeys: readonly string[],
  stored?: StoredLines,
): Promise<void> {
  const body = insertBodies.take();
  const lineEnds = stored ? [] : undefined;
  const result = await client.exec({
    query: `INSERT INTO ${table} FORMAT JSONEachRow`,
    values: Readable.from([encodeJsonEachRow(rows, literalKeys, body, lineEnds)], { objectMode: false }),
  });
  // The answer is empty; reading it to the end frees the connection for the next request.
  result.stream.resume();
  await finished(result.stream);
  if (lineEnds) stored?.(body.bytes(), lineEnds);
  // ClickHouse answers once it has read the whole body, so its bytes are free to be written again. A
  // failed insert's body is not reused: its request may still be reading it.
  insertBodies.giveBack(body);
}
