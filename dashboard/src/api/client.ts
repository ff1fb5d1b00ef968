/**
 * The one door to the API: same origin, the API key from sessionStorage (kept for this browser tab's
 * session only, never put in a URL or logged), errors turned into messages that say what to do.
 */
const keyName = 'tracehouse.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(keyName),
  signIn: (key: string) => sessionStorage.setItem(keyName, key.trim()),
  signOut: () => sessionStorage.removeItem(keyName),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the user can do about a failed request, in a sentence. */
export function advice(err: unknown): string {
  if (!(err instanceof ApiError)) return `${String(err)}. Check that the server is running, then retry.`;
  if (err.status === 401) return `${err.message}. Sign in again with a valid API key.`;
  if (err.status === 404)
    return `${err.message}. It may not exist yet (writes take a moment to land) or was deleted.`;
  if (err.status === 422 || err.status === 400) return `${err.message}. Adjust the filter and try again.`;
  if (err.status === 429) return `${err.message}. Too many requests: wait a moment, then retry.`;
  return `${err.message}. The server had a problem: retry, and check its logs if it persists.`;
}

const listeners = new Set<() => void>();
/** Called when the key is rejected, so the app can show the sign-in page. */
export const onUnauthorized = (fn: () => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

export async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = session.key();
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'The server did not answer');
  }
  if (res.ok) return res;
  let message = `${method} ${path.split('?')[0]} failed (${res.status})`;
  try {
    const json = await res.json();
    if (typeof json?.message === 'string') message = json.message;
  } catch {
    // Not JSON: keep the generic message.
  }
  if (res.status === 401) for (const fn of listeners) fn();
  throw new ApiError(res.status, message);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Saves a response (the server streams it) as a file. The key travels in a header, which a plain link
 * cannot send, so the body is collected into a Blob first. Returns the size in bytes.
 */
export async function download(
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  filename: string,
): Promise<number> {
  const res = await request(method, path, body);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return blob.size;
}
