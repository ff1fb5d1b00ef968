import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Answer {
  status: number;
  /** JSON unless a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent one write at a time instead of `body`, to exercise streaming across chunk boundaries. */
  chunks?: (string | Uint8Array)[];
}

export type Respond = (req: Recorded) => Answer | Promise<Answer>;

export interface FakeServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** A tiny real HTTP server on port 0 for SDK unit tests: records every request, answers with `respond`. */
export async function fakeServer(respond: Respond): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(recorded);
      const answer = await respond(recorded);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      if (answer.chunks) {
        for (const chunk of answer.chunks) {
          res.write(chunk);
          // Let each write leave as its own chunk.
          await new Promise((resolve) => setImmediate(resolve));
        }
        res.end();
        return;
      }
      const body = answer.body;
      res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What `POST /v2/ingest` answers when it accepts every item. */
export function acceptAll(req: Recorded): Answer {
  const items = (req.body as { items: unknown[] }).items;
  return {
    status: 200,
    body: {
      accepted: items.length,
      rejected: 0,
      results: items.map((_, index) => ({ index, status: 200 })),
    },
  };
}
