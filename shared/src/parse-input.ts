import type { z } from 'zod';
import { DECLINE, type FastParse } from './api/fast-requests.js';
import { AppError, ErrorCodes } from './errors.js';

const fastPaths = new WeakMap<z.ZodType, FastParse>();

/**
 * Gives `schema` a hand-written parser that `parseInput` tries first (`api/fast-requests.ts`): it must
 * return what zod would, or decline.
 */
export function withFastPath<S extends z.ZodType>(schema: S, fast: FastParse): S {
  fastPaths.set(schema, fast);
  return schema;
}

/** zod issues as Opper/FastAPI-style detail entries: `{loc, msg, type}`. */
function detailOf(issues: z.core.$ZodIssue[], where: string) {
  return issues.map((issue) => ({
    loc: [where, ...issue.path.map(String)],
    msg: issue.message,
    type: issue.code,
  }));
}

/**
 * Parses request input; on failure one 422 whose message names every bad field
 * (`name: Too big: expected string to have <=256 characters`).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'path' | 'query',
): z.output<S> {
  const fast = fastPaths.get(schema)?.(value) ?? DECLINE;
  if (fast !== DECLINE) return fast as z.output<S>;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : where}: ${issue.message}`)
    .join('; ');
  throw new AppError(ErrorCodes.VALIDATION, message, {
    details: {
      field: result.error.issues[0]?.path.join('.') || where,
      errors: detailOf(result.error.issues, where),
    },
  });
}
