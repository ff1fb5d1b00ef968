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

  /** Worth trying again: the network failed, or the server said so (429, 5xx). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}
