import { ErrorCodes, type V3ErrorBody } from '@tracehouse/shared';
import type { ErrorAnswer } from './error-handler.js';

/**
 * v3 answers invalid input with 400 (what its SDKs map to `BadRequestError`); v2 keeps its 422. Every
 * other status is the same in both versions.
 */
export const v3Status = (a: ErrorAnswer) =>
  a.code === ErrorCodes.VALIDATION || a.code === ErrorCodes.QUERY_LIMIT ? 400 : a.status;

/** Opper v3's error shape: `{error: {code, message, details?}}`, `code` one of our stable codes. */
export function v3ErrorBody(a: ErrorAnswer): V3ErrorBody {
  return {
    error: {
      code: a.code,
      message: a.message,
      ...(Object.keys(a.details).length > 0 ? { details: a.details } : {}),
    },
  };
}

/** `/v3`, `/v3/...` and `/v3?...` (not `/v30`). Matched routes need no check: they are in the scope. */
export const isV3Url = (url: string) => /^\/v3(?:[/?#]|$)/i.test(url);
