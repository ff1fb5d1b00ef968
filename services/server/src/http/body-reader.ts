import { ReusedBuffers } from '@tracehouse/shared/node';
import { errorCodes } from 'fastify';

export interface BodyLimits {
  /** The route's body limit, in bytes. */
  limit: number;
  /** The request's `content-length` header, if it has one. */
  contentLength: string | undefined;
}

/**
 * Reads request bodies as fastify's own reader does (the same limits and errors), into buffers that
 * are reused: a body with a length is copied into a buffer of that size, taken from `ReusedBuffers`,
 * as its chunks arrive, instead of being joined into a new buffer at its end. Bodies are most of the
 * bytes ingest receives, and each new buffer of that size counted towards the external memory after
 * which V8 collects garbage (docs/WRITE-PATH.md §1). A body is given back once nothing reads it: when
 * parsed into strings alone, at once; when texts were kept as its bytes (`JsonTextBytes`), after the
 * response, when the route has copied them into its records.
 */
export class BodyReader {
  constructor(private readonly buffers = new ReusedBuffers()) {}

  read(payload: NodeJS.ReadableStream, { limit, contentLength }: BodyLimits): Promise<Buffer> {
    const length = contentLength === undefined ? Number.NaN : Number(contentLength);
    if (length > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    const body = Number.isSafeInteger(length) && length >= 0 ? this.buffers.take(length) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    return new Promise<Buffer>((resolve, reject) => {
      const stop = (err?: Error) => {
        payload.removeListener('data', onData);
        payload.removeListener('end', onEnd);
        payload.removeListener('error', onEnd);
        if (!err) return;
        if (body) this.buffers.giveBack(body);
        reject(err);
      };
      const onData = (data: Buffer | string) => {
        const chunk = typeof data === 'string' ? Buffer.from(data) : data;
        const at = received;
        received += chunk.length;
        if (received > limit) return stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        if (!body) return chunks.push(chunk);
        if (received > body.length) return stop(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        chunk.copy(body, at);
      };
      const onEnd = (err?: Error & { statusCode?: number }) => {
        if (err) {
          if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
          return stop(err);
        }
        if (body && received !== body.length)
          return stop(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        stop();
        resolve(body ?? Buffer.concat(chunks, received));
      };
      payload.on('data', onData);
      payload.on('end', onEnd);
      payload.on('error', onEnd);
      payload.resume();
    });
  }

  /** The body's buffer is free again: nothing reads it any more. */
  giveBack(body: Buffer): void {
    this.buffers.giveBack(body);
  }
}
