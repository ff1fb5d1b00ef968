import { once } from 'node:events';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { framedSocketFactory, ResponseFrames, useWholeResponses } from './framed-socket.js';
import { requestBuffers } from './reused-buffers.js';

const require = createRequire(import.meta.url);

const frame = (payload: string) => {
  const body = Buffer.from(payload);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
};

const framesOf = (chunks: Buffer[]) => {
  const out: Buffer[] = [];
  const frames = new ResponseFrames((f) => out.push(f));
  // Each chunk is read during the call only, as from a socket's one reused buffer: scribbled after.
  for (const chunk of chunks) {
    const scratch = Buffer.alloc(chunk.length + 8, 0xee);
    chunk.copy(scratch);
    frames.push(scratch, chunk.length);
    scratch.fill(0xaa);
  }
  return out.map((f) => f.toString('latin1'));
};

describe('ResponseFrames', () => {
  const stream = Buffer.concat([frame('first response'), frame(''), frame('x'.repeat(300)), frame('last')]);
  const whole = [frame('first response'), frame(''), frame('x'.repeat(300)), frame('last')].map((f) =>
    f.toString('latin1'),
  );

  it('gives each response whole, however the stream is cut', () => {
    expect(framesOf([stream])).toEqual(whole);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(framesOf([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(framesOf(bytes)).toEqual(whole);
  });

  it('waits for the rest of a response', () => {
    expect(framesOf([stream.subarray(0, 10)])).toEqual([]);
  });

  it('passes on as read what is not a Kafka response', () => {
    const bad = Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    expect(framesOf([bad, Buffer.from([4, 5])])).toEqual([
      bad.toString('latin1'),
      Buffer.from([4, 5]).toString('latin1'),
    ]);
  });
});

describe('useWholeResponses', () => {
  it('decodes responses that arrive whole where they lie, and split ones as kafkajs did', () => {
    useWholeResponses();
    const Connection = require('kafkajs/src/network/connection.js') as {
      prototype: { processData(data: Buffer): void };
    };
    const fulfilled: { correlationId: number; payload: string }[] = [];
    const connection = Object.assign(Object.create(Connection.prototype), {
      chunks: [],
      bytesBuffered: 0,
      bytesNeeded: 4,
      authHandlers: null,
      requestQueue: {
        fulfillRequest: (r: { correlationId: number; payload: Buffer }) =>
          fulfilled.push({ correlationId: r.correlationId, payload: r.payload.toString() }),
      },
    }) as { processData(data: Buffer): void };
    const response = (id: number, payload: string) => {
      const body = Buffer.concat([Buffer.alloc(4), Buffer.from(payload)]);
      body.writeInt32BE(id, 0);
      return frame(body.toString('latin1'));
    };
    const [one, two, split] = [response(1, 'one'), response(2, 'two'), response(3, 'three')];
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      connection.processData(one);
      connection.processData(two);
      expect(concat).not.toHaveBeenCalled();
      connection.processData(split.subarray(0, 6));
      connection.processData(split.subarray(6));
    } finally {
      concat.mockRestore();
    }
    expect(fulfilled).toEqual([
      { correlationId: 1, payload: 'one' },
      { correlationId: 2, payload: 'two' },
      { correlationId: 3, payload: 'three' },
    ]);
  });
});

describe('framedSocketFactory', () => {
  it('sends what it is given, hands on whole responses, and frees a request buffer once written', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    let socket!: ReturnType<ReturnType<typeof framedSocketFactory>>;
    const connected = new Promise<void>((resolve) => {
      socket = framedSocketFactory(16)({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        ssl: undefined as never,
        onConnect: resolve,
      });
    });
    try {
      const [peer] = await accepted;
      await connected;
      const request = requestBuffers.take(200_000);
      request.fill(7);
      const received: Buffer[] = [];
      peer.on('data', (d: Buffer) => received.push(d));
      const written = new Promise<void>((resolve) => socket.write(request, 'binary', () => resolve()));
      await written;
      expect(requestBuffers.lent(request)).toBe(false);
      while (received.reduce((n, d) => n + d.length, 0) < request.length) await once(peer, 'data');
      expect(Buffer.concat(received).equals(Buffer.alloc(200_000, 7))).toBe(true);

      // Responses cut into 16-byte reads arrive whole, one 'data' event each.
      const responses: string[] = [];
      socket.on('data', (d: Buffer) => responses.push(d.toString('latin1')));
      peer.write(Buffer.concat([frame('a response longer than one read'), frame('second')]));
      while (responses.length < 2) await once(socket, 'data');
      expect(responses).toEqual(
        [frame('a response longer than one read'), frame('second')].map((f) => f.toString('latin1')),
      );
    } finally {
      socket?.destroy();
      server.close();
    }
  });
});
