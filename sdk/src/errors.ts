/** Every failure the SDK reports: the server's error (status, Opper `type`, our `TH_*` code) or a network one. */
export class TracehouseError extends Error {
  override readonly name = 'TracehouseError';
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Opper's error type (`NotFoundError`, `UnprocessableEntityError`…). */
  readonly type: string;
  /** Tracehouse's stable code (`TH_NOT_FOUND`, `TH_RATE_LIMITED`…). */
  readonly code: string;
  readonly detail: unknown;
  /** Seconds the server asked to wait (429/503 `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    init: {
      status: number;
      type?: string;
      code?: string;
      detail?: unknown;
      retryAfterSeconds?: number;
      cause?: unknown;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type ?? (init.status === 0 ? 'NetworkError' : 'APIError');
    this.code = init.code ?? '';
    this.detail = init.detail ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The server's error answer (`{type, message, detail, code}`, or anything else a proxy sends). */
  static fromResponse(status: number, text: string, headers: Headers, what: string): TracehouseError {
    let body: { type?: unknown; message?: unknown; code?: unknown; detail?: unknown } = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return new TracehouseError(str(body.message) ?? `${what} failed with ${status}`, {
      status,
      type: str(body.type),
      code: str(body.code),
      detail: body.detail,
      retryAfterSeconds: parseRetryAfter(headers.get('retry-after')),
    });
  }

  /** Worth trying again: the network failed or timed out, or the server said so (408, 429, 5xx). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
