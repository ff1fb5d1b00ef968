import { createRequire } from 'node:module';
import net from 'node:net';
import type { ISocketFactory } from 'kafkajs';
import { requestBuffers } from './reused-buffers.js';

const require = createRequire(import.meta.url);

/** kafkajs' own socket factory, which TLS connections keep. */
const kafkajsSocketFactory = (require('kafkajs/src/network/socketFactory.js') as () => ISocketFactory)();
/** kafkajs' own keep-alive (its default socket factory). */
const keepAliveMs = 60_000;
/** A response size past this is not a Kafka response: the rest of the stream is passed on as read. */
const maxFrameBytes = 1 << 30;

/**
 * Cuts a byte stream into Kafka responses (a 32-bit size, then that many bytes) and hands each on
 * whole, in a buffer of its exact size. The chunks given to `push` are only read during the call.
 */
export class ResponseFrames {
  readonly #head = Buffer.alloc(4);
  #headBytes = 0;
  #frame: Buffer | undefined;
  #filled = 0;
  /** Set after a size no Kafka response has: from then on bytes are passed on as they come. */
  #raw = false;

  constructor(private readonly emit: (frame: Buffer) => void) {}

  push(chunk: Buffer, length = chunk.length): void {
    if (this.#raw) {
      if (length > 0) this.emit(Buffer.from(chunk.subarray(0, length)));
      return;
    }
    let at = 0;
    while (at < length) {
      if (!this.#frame) {
        const take = Math.min(4 - this.#headBytes, length - at);
        chunk.copy(this.#head, this.#headBytes, at, at + take);
        this.#headBytes += take;
        at += take;
        if (this.#headBytes < 4) return;
        this.#headBytes = 0;
        const size = this.#head.readInt32BE(0);
        if (size < 0 || size > maxFrameBytes) {
          // Not ours to judge: kafkajs sees the bytes as they came and fails the connection as before.
          this.#raw = true;
          this.emit(Buffer.concat([this.#head, chunk.subarray(at, length)]));
          return;
        }
        this.#frame = Buffer.allocUnsafe(4 + size);
        this.#head.copy(this.#frame, 0);
        this.#filled = 4;
      }
      const take = Math.min(this.#frame.length - this.#filled, length - at);
      chunk.copy(this.#frame, this.#filled, at, at + take);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#frame.length) {
        const frame = this.#frame;
        this.#frame = undefined;
        this.emit(frame);
      }
    }
  }
}

/**
 * kafkajs' socket, reading into one reused buffer and giving kafkajs each response whole. A socket
 * otherwise reads into a new 64 KiB buffer each time and kafkajs joins a response's chunks into one
 * more: two new buffers the size of every fetch. Node counts such buffers as external memory and
 * collects garbage after every few tens of MiB of them (most of the writer's and the alerter's
 * collections under load, docs/WRITE-PATH.md §1). Here a response is one buffer of its exact size,
 * which kafkajs decodes without joining anything. TLS connections keep kafkajs' own socket.
 */
export const framedSocketFactory =
  (readBufferBytes = 64 * 1024): ISocketFactory =>
  ({ host, port, ssl, onConnect }) => {
    if (ssl) return kafkajsSocketFactory({ host, port, ssl, onConnect });
    // kafkajs listens for 'data' only after the factory returns; nothing is read before that.
    let socket: net.Socket | undefined;
    const readBuffer = Buffer.allocUnsafe(readBufferBytes);
    const frames = new ResponseFrames((frame) => socket!.emit('data', frame));
    socket = net.connect(
      {
        host,
        port,
        onread: {
          buffer: readBuffer,
          callback: (bytes) => {
            frames.push(readBuffer, bytes);
            return true;
          },
        },
      },
      onConnect,
    );
    socket.setKeepAlive(true, keepAliveMs);
    givesBackRequestBuffers(socket);
    return socket;
  };

type Write = (chunk: unknown, encoding?: unknown, callback?: (err?: Error | null) => void) => boolean;

/** A request buffer is free again once the socket has written it (or failed to): `ReusedBuffers`. */
function givesBackRequestBuffers(socket: net.Socket): void {
  const write = socket.write as Write;
  (socket as { write: Write }).write = function (this: net.Socket, chunk, encoding, callback) {
    if (!requestBuffers.lent(chunk)) return write.call(this, chunk, encoding, callback);
    const done = typeof encoding === 'function' ? (encoding as typeof callback) : callback;
    return write.call(this, chunk, typeof encoding === 'function' ? undefined : encoding, (err) => {
      requestBuffers.giveBack(chunk);
      done?.(err);
    });
  };
}

/** The part of kafkajs' `Connection` (2.2.4) `useWholeResponses` relies on. */
interface KafkajsConnection {
  chunks: Buffer[];
  processData(data: Buffer): void;
}
const Connection = require('kafkajs/src/network/connection.js') as { prototype: KafkajsConnection };

/** kafkajs' own method, which `useWholeResponses` wraps. */
const kafkajsProcessData = Connection.prototype.processData;

/**
 * After each response kafkajs keeps what followed it, usually an empty buffer, and joins it to the
 * next data (`Buffer.concat`): a copy of every response, in a new buffer. An empty remainder is
 * dropped first, so a response that arrives whole (`framedSocketFactory`) is decoded where it lies.
 */
export function useWholeResponses(): void {
  Connection.prototype.processData = function processData(this: KafkajsConnection, data: Buffer) {
    if (this.chunks.length === 1 && this.chunks[0]!.length === 0) this.chunks = [];
    kafkajsProcessData.call(this, data);
  };
}
