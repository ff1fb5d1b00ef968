import { isUtf8 } from 'node:buffer';
import { AppError, ErrorCodes } from '@tracehouse/shared';
import { JsonTextBytes, type KeepTexts, tokenMinChars } from '@tracehouse/shared/node';
import { cutLongStrings } from './long-strings.js';

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
 * `content-type: application/json` on bodiless POSTs and DELETEs). With `keepTexts` (a route's
 * config), long strings where the route takes them stay bytes (`JsonTextBytes`, `cutLongStrings`).
 */
export function parseJsonBody(raw: Buffer, keepTexts?: KeepTexts): unknown {
  if (raw.length === 0) return undefined;
  return keepTexts ? parseKeepingTexts(raw, keepTexts) : shallowEnough(parseJson(decodeUtf8(raw)));
}

function shallowEnough(value: unknown): unknown {
  if (jsonDepth(value) > maxJsonDepth) throw badBody(`body: JSON nested deeper than ${maxJsonDepth} levels`);
  return value;
}

function decodeUtf8(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw badBody('body: not valid UTF-8');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badBody(`body: not valid JSON (${err instanceof Error ? err.message : 'parse error'})`);
  }
}

function parseKeepingTexts(raw: Buffer, keepTexts: KeepTexts): unknown {
  if (!isUtf8(raw)) throw badBody('body: not valid UTF-8');
  const { json, cut } = cutLongStrings(raw, tokenMinChars);
  // Measured before any text is kept: bytes are objects, not JSON to descend into.
  const value = shallowEnough(parseJson(json));
  if (cut.size === 0) return value;
  keepTexts(value, (given) => {
    const token = typeof given === 'string' ? cut.get(given) : undefined;
    if (!token) return given;
    cut.delete(given as string);
    return JsonTextBytes.ofToken(token) ?? (parseJson(token.toString('utf8')) as string);
  });
  if (cut.size === 0) return value;
  const whole = putBack(value, cut);
  // A string the parse dropped (a repeated key) is still checked: the body is JSON as a whole or refused.
  for (const token of cut.values()) parseJson(token.toString('utf8'));
  return whole;
}

/** Every placeholder left (a long string where the route takes none) back as the string it stands for. */
function putBack(root: unknown, cut: Map<string, Buffer>): unknown {
  const parsed = (value: unknown) => {
    const token = typeof value === 'string' ? cut.get(value) : undefined;
    if (!token) return value;
    cut.delete(value as string);
    return parseJson(token.toString('utf8'));
  };
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | null;
    if (node === null || typeof node !== 'object') continue;
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (typeof child === 'object') {
        if (!(child instanceof JsonTextBytes)) stack.push(child);
      } else if (typeof child === 'string' && cut.has(child)) {
        // A defined property: assigning to a parsed `__proto__` key would call the setter.
        Object.defineProperty(node, key, {
          value: parsed(child),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    }
  }
  return parsed(root);
}
