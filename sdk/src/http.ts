import { TracehouseError } from './errors.js';
import { retryDelayMs } from './export/backoff.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** A body already encoded as JSON (the exporter encodes items once, when they are queued). */
  json?: string;
  /**
   * Safe to send twice (it changes nothing): retried on network errors, 429 and 5xx — notably 503
   * `TH_NOT_YET_STORED` from a read that waited for a write. Default: GET only.
   */
  retry?: boolean;
}

export interface HttpOptions {
  /** Server root, e.g. `http://localhost:8080`; `/v2` is added here. */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Retries of a read that failed with a network error, 429 or 5xx; default 2. */
  maxRetries?: number;
}

/** JSON over HTTP to `/v2`, errors as `TracehouseError`. */
export class HttpClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;

  constructor(options: HttpOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError('baseUrl must be an http(s) URL');
    this.#base = `${options.baseUrl.replace(/\/+$/, '').replace(/\/v2$/, '')}/v2`;
    this.#headers = { accept: 'application/json' };
    if (options.apiKey) this.#headers.authorization = `Bearer ${options.apiKey}`;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 2;
    if (!(this.#timeoutMs > 0) || !(this.#maxRetries >= 0)) {
      throw new RangeError('timeoutMs must be > 0 and maxRetries >= 0');
    }
  }

  #url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.#base}${path}${qs ? `?${qs}` : ''}`;
  }

  /** `#attempt`, again after a pause while the request is safe to repeat and the failure passing. */
  async #send(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<{ res: Response; done: () => void }> {
    const retry = options.retry ?? method === 'GET';
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#attempt(method, path, options);
      } catch (err) {
        const again = retry && attempt < this.#maxRetries && err instanceof TracehouseError && err.retryable;
        if (!again) throw err;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(err, attempt, 100, 10_000)));
      }
    }
  }

  /**
   * Sends a request once; `done()` must be called once the body is read. The timeout covers the request
   * up to its headers and, for JSON, the body; a stream then runs as long as it needs (exports are long).
   */
  async #attempt(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<{ res: Response; done: () => void }> {
    const headers = { ...this.#headers };
    const body = options.json ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error(`timed out after ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    );
    timer.unref();
    const done = () => clearTimeout(timer);
    let res: Response;
    try {
      res = await this.#fetch(this.#url(path, options.query), {
        method,
        headers,
        body,
        signal: abort.signal,
      });
    } catch (err) {
      done();
      throw networkError(method, path, err);
    }
    if (res.ok) return { res, done };
    const text = await res.text().catch(() => '');
    done();
    throw TracehouseError.fromResponse(res.status, text, res.headers, `${method} ${path}`);
  }

  /** JSON in, JSON out; `undefined` for 204. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { res, done } = await this.#send(method, path, options);
    try {
      if (res.status === 204) return undefined as T;
      return (await res.json()) as T;
    } catch (err) {
      throw networkError(method, path, err, res.status);
    } finally {
      done();
    }
  }

  /**
   * A streamed response, record by record (JSONL lines; CSV records end with CRLF, so a line break
   * inside a quoted field does not split one), without holding it all in memory.
   */
  async *lines(
    method: string,
    path: string,
    options: RequestOptions = {},
    separator = '\n',
  ): AsyncGenerator<string> {
    const { res, done } = await this.#send(method, path, options);
    done();
    if (!res.body) return;
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true });
        let end = pending.indexOf(separator);
        while (end >= 0) {
          yield pending.slice(0, end);
          pending = pending.slice(end + separator.length);
          end = pending.indexOf(separator);
        }
      }
    } catch (err) {
      throw networkError(method, path, err, res.status);
    }
    pending += decoder.decode();
    if (pending) yield pending;
  }
}

/** The connection failed, timed out, or broke mid-body: worth retrying (status 0) unless a status came. */
function networkError(method: string, path: string, err: unknown, status = 0): TracehouseError {
  const reason = err instanceof Error ? err.message : 'network error';
  return new TracehouseError(`${method} ${path}: ${reason}`, {
    status: status >= 200 && status < 300 ? 0 : status,
    cause: err,
  });
}
