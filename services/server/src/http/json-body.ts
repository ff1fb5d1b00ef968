import { AppError, ErrorCodes } from '@tracehouse/shared';

/** Deeper JSON than this is refused: re-encoding it would exhaust the stack, and no trace needs it. */
export const maxJsonDepth = 128;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const badBody = (message: string) =>
  new AppError(ErrorCodes.BAD_REQUEST, message, { details: { field: 'body' } });

/** The deepest nesting of arrays/objects, walked without recursion; stops early past `limit`. */
export function jsonDepth(value: unknown, limit = maxJsonDepth): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/**
 * Request bodies: UTF-8 checked strictly (replacing bad bytes would store something the client never
 * sent), parsed as JSON, and refused past `maxJsonDepth`. An empty body is no body (SDKs send
 * `content-type: application/json` on bodiless POSTs and DELETEs).
 */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw badBody('body: not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badBody(`body: not valid JSON (${err instanceof Error ? err.message : 'parse error'})`);
  }
  if (jsonDepth(value) > maxJsonDepth) throw badBody(`body: JSON nested deeper than ${maxJsonDepth} levels`);
  return value;
}
