import { TracehouseError } from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpOptions {
  /** Server root, e.g. `http://localhost:8080`; `/v2` is added here. */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

/** JSON over HTTP to `/v2`, errors as `TracehouseError`. */
export class HttpClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: HttpOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError('baseUrl must be an http(s) URL');
    this.#base = `${options.baseUrl.replace(/\/+$/, '').replace(/\/v2$/, '')}/v2`;
    this.#headers = { accept: 'application/json' };
    if (options.apiKey) this.#headers.authorization = `Bearer ${options.apiKey}`;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  #url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.#base}${path}${qs ? `?${qs}` : ''}`;
  }

  async #send(method: string, path: string, options: { query?: Query; body?: unknown }): Promise<Response> {
    const headers = { ...this.#headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch(this.#url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new TracehouseError(
        `${method} ${path}: ${err instanceof Error ? err.message : 'network error'}`,
        {
          status: 0,
          cause: err,
        },
      );
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let body: { type?: string; message?: string; code?: string; detail?: unknown } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new TracehouseError(body.message ?? `${method} ${path} failed with ${res.status}`, {
      status: res.status,
      type: body.type,
      code: body.code,
      detail: body.detail,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    });
  }

  /** JSON in, JSON out; `undefined` for 204. */
  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const res = await this.#send(method, path, options);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /**
   * A streamed response, record by record (JSONL lines; CSV records end with CRLF, so a line break
   * inside a quoted field does not split one), without holding it all in memory.
   */
  async *lines(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
    separator = '\n',
  ): AsyncGenerator<string> {
    const res = await this.#send(method, path, options);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let end = pending.indexOf(separator);
      while (end >= 0) {
        yield pending.slice(0, end);
        pending = pending.slice(end + separator.length);
        end = pending.indexOf(separator);
      }
    }
    pending += decoder.decode();
    if (pending) yield pending;
  }
}
