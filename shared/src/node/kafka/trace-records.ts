import { decodeEventRecord } from '../../contracts/event-records.js';
import { ByteSlabs } from '../byte-slabs.js';
import { isJsonStringToken, JsonLiteral } from '../clickhouse/json-each-row.js';
import { JsonTextBytes } from '../json-text-bytes.js';

/**
 * A spans-topic record is a JSON array of events (docs/WRITE-PATH.md §1). Most of its bytes are the
 * spans' inputs and outputs, which the writer only copies into ClickHouse and the alerter never reads.
 * So ingest puts them last in each event's `fields`, and the `io` header lists where each one's JSON
 * string token lies in the value (`start,length,start,length,…`, bytes). A reader then parses only the
 * rest and keeps the tokens as bytes; the value stays plain JSON, so a consumer of an earlier version
 * reads it whole as before.
 */
export const ioHeader = 'io';

/** The fields of an event that travel as tokens, in the order they come. */
export const tokenFields = ['input', 'output'] as const;

/** A record's `io` header as text; undefined when absent or repeated (the record is then read whole). */
export function ioHeaderText(headers: Record<string, unknown> | undefined): string | undefined {
  const value = headers?.[ioHeader];
  return typeof value === 'string' || Buffer.isBuffer(value) ? value.toString() : undefined;
}

/**
 * Texts shorter than this stay in the JSON: a token costs its reader a few small allocations, which
 * only pays off for large texts (with 50–150 B texts, tokens made the writer a third slower per span).
 */
export const tokenMinChars = 1024;

/**
 * An encoded event's pieces: JSON text, then alternately a token and JSON text. A token is its bytes,
 * or a text a request kept as bytes, escaped when the record is made (`encodeTraceRecord`).
 */
export type TraceEventPiece = string | Buffer | JsonTextBytes;

/**
 * One event as pieces: JSON text, then alternately a token and JSON text (`[json, token, json, …]`).
 * Inputs and outputs held as `JsonTextBytes` and strings of `tokenMinChars` or more become tokens;
 * shorter ones and `null` (a cleared field) stay in the JSON. A string token is written to bytes at
 * once (`tokenBytes`), so the large string dies young instead of living on the heap until the
 * request's records are sent; a `JsonTextBytes` (a view of the request body, which lives that long
 * anyway) is escaped straight into its record, one copy of every text fewer.
 */
export function encodeTraceEvent(event: object): TraceEventPiece[] {
  const fields = (event as { fields?: Record<string, unknown> }).fields;
  const texts = tokenFields.filter((k) => {
    const text = fields?.[k];
    return (typeof text === 'string' && text.length >= tokenMinChars) || text instanceof JsonTextBytes;
  });
  if (texts.length === 0) return [JSON.stringify(event)];
  const { fields: _, ...rest } = event as { fields?: unknown };
  const plainFields: Record<string, unknown> = { ...fields };
  for (const key of texts) plainFields[key] = undefined; // JSON.stringify leaves undefined out
  // `fields` last, so the tokens close the event.
  const head = JSON.stringify({ ...rest, fields: plainFields });
  const pieces: TraceEventPiece[] = [];
  let open = head.slice(0, -2);
  let separator = head.endsWith('{}}') ? '' : ',';
  for (const key of texts) {
    const text = fields![key] as string | JsonTextBytes;
    pieces.push(`${open}${separator}"${key}":`, typeof text === 'string' ? tokenBytes(text) : text);
    open = '';
    separator = ',';
  }
  pieces.push('}}');
  return pieces;
}

/** Tokens are cut from slabs, so the strings they came from die young and each costs no allocation. */
const tokenSlabs = new ByteSlabs();

const tokenBytes = (text: string): Buffer => tokenSlabs.write(JSON.stringify(text), 'utf8');

/**
 * A record's value and its `io` header (undefined when no event has a token) from encoded events;
 * `allocate` gives the value's buffer (ingest reuses them: `ReusedBuffers`).
 */
export function encodeTraceRecord(
  events: readonly TraceEventPiece[][],
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): { value: Buffer; io?: string } {
  const texts: string[] = [];
  let size = 1; // the closing bracket
  events.forEach((pieces, i) => {
    pieces.forEach((piece, p) => {
      if (typeof piece !== 'string') {
        size += piece instanceof JsonTextBytes ? piece.escapedLength : piece.length;
        return;
      }
      // The JSON around tokens is small; with its separators and brackets, it is converted once here.
      const text = `${i === 0 && p === 0 ? '[' : ''}${i > 0 && p === 0 ? ',' : ''}${piece}`;
      texts.push(text);
      size += Buffer.byteLength(text);
    });
  });
  const value = allocate(size);
  const io: number[] = [];
  let at = 0;
  let t = 0;
  for (const pieces of events) {
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        at += value.write(texts[t++]!, at);
        continue;
      }
      const length = piece instanceof JsonTextBytes ? piece.writeEscaped(value, at) : piece.copy(value, at);
      io.push(at, length);
      at += length;
    }
  }
  value.write(']', at);
  return io.length === 0 ? { value } : { value, io: io.join(',') };
}

/**
 * The events of a record, each input and output that travelled as a token in its place as a
 * `JsonLiteral`: a view into `value`. kafkajs shares `value`'s memory with the rest of its fetch, so a
 * token kept past its batch would keep the whole fetch; none is (the writer's trace cache holds the
 * lines it inserted, not rows: `PackedTraceCache`). Copying every record's tokens out, which an
 * earlier cache of row objects needed, was a copy of most of a realistic span's bytes and an
 * allocation per record that made the collector run more often (docs/WRITE-PATH.md §1). Throws on a
 * value that is not JSON and on an `io` header that does not fit the value.
 */
export function decodeTraceRecord(value: Buffer, io: string | undefined): unknown[] {
  if (io === undefined) return decodeEventRecord(value.toString('utf8'));
  const numbers = io.split(',').map(Number);
  if (numbers.length % 2 !== 0) throw new SyntaxError('io header: not start,length pairs');
  const tokens: Buffer[] = [];
  let json = '';
  let from = 0;
  for (let i = 0; i < numbers.length; i += 2) {
    const start = numbers[i]!;
    const end = start + numbers[i + 1]!;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < from || end > value.length) {
      throw new SyntaxError('io header: a range outside the value');
    }
    const token = value.subarray(start, end);
    if (!isJsonStringToken(token)) throw new SyntaxError('io header: a range that is not a JSON string');
    // A placeholder the JSON parser accepts where the token was; put back below.
    json += `${value.toString('utf8', from, start)}0`;
    tokens.push(token);
    from = end;
  }
  json += value.toString('utf8', from);
  const events = decodeEventRecord(json);
  let next = 0;
  for (const event of events) {
    const fields = (event as { fields?: Record<string, unknown> } | null)?.fields;
    if (typeof fields !== 'object' || fields === null) continue;
    for (const key of tokenFields) {
      if (fields[key] === 0 && next < tokens.length) fields[key] = new JsonLiteral(tokens[next++]!);
    }
  }
  if (next !== tokens.length) throw new SyntaxError('io header: ranges that are not inputs or outputs');
  return events;
}
