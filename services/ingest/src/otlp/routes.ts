import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { AppError, ErrorCodes } from '@tracehouse/shared';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WriteService } from '../domain/write-service.js';
import { decodeJsonTraces, decodeProtobufTraces, encodeExportResponse, type OtlpEncoding } from './codec.js';
import type { OtlpTraces } from './model.js';
import { receiveTraces } from './receiver.js';

const gunzipAsync = promisify(gunzip);

export interface OtlpRoutesOptions {
  writes: WriteService;
  /** Largest body accepted, compressed and after decompression alike. */
  bodyLimitBytes: number;
  /** Where `/v1/traces` is served: `''` for the standard path, `/otlp` for a proxy prefix. */
  prefixes?: string[];
}

export const otlpContentTypes = { protobuf: 'application/x-protobuf', json: 'application/json' } as const;

/** The encoding of a request (and of its answer, which OTLP/HTTP sends in the request's encoding). */
export function otlpEncodingOf(request: FastifyRequest): OtlpEncoding {
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  return type.startsWith(otlpContentTypes.protobuf) ? 'protobuf' : 'json';
}

const bad = (message: string, cause?: unknown) =>
  new AppError(ErrorCodes.BAD_REQUEST, message, { cause, details: { reason: message } });

/**
 * The body after `content-encoding`: gzip is inflated with a cap on the output, so a small
 * compressed body cannot expand past the same limit an uncompressed one has.
 */
async function inflate(request: FastifyRequest, body: Buffer, limit: number): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip') {
    throw new AppError(
      ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      `content-encoding: ${encoding} is not supported (gzip is)`,
    );
  }
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AppError(ErrorCodes.PAYLOAD_TOO_LARGE, `body: more than ${limit} bytes once decompressed`, {
        cause: err,
      });
    }
    throw bad('body: not valid gzip', err);
  }
}

async function decodeBody(request: FastifyRequest, body: Buffer, limit: number): Promise<OtlpTraces> {
  const raw = await inflate(request, body, limit);
  if (otlpEncodingOf(request) === 'protobuf') return decodeProtobufTraces(raw);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (err) {
    throw bad(`body: not OTLP/JSON (${(err as Error).message})`, err);
  }
  return decodeJsonTraces(json);
}

/**
 * `POST /v1/traces` (OTLP/HTTP): protobuf or JSON, optionally gzip. The host registers it in a scope
 * that sets `request.projectId`; this scope replaces the host's body parsers with its own, so any
 * other content type is a 415 (fastify's own refusal) before the handler runs.
 */
export const otlpRoutes: FastifyPluginAsync<OtlpRoutesOptions> = async (app, options) => {
  const limit = options.bodyLimitBytes;
  app.removeAllContentTypeParsers();
  for (const type of Object.values(otlpContentTypes)) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: limit }, (request, body, done) => {
      decodeBody(request, body as Buffer, limit).then(
        (traces) => done(null, traces),
        (err: Error) => done(err, undefined),
      );
    });
  }
  for (const prefix of options.prefixes ?? ['']) {
    app.post(`${prefix}/v1/traces`, { bodyLimit: limit }, async (request, reply) => {
      if (request.body === undefined || request.body === null) {
        // No content type: fastify ran no parser.
        throw new AppError(
          ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
          `content-type: send ${otlpContentTypes.protobuf} or ${otlpContentTypes.json}`,
        );
      }
      const encoding = otlpEncodingOf(request);
      const traces = request.body as OtlpTraces;
      const { partialSuccess } = await receiveTraces(options.writes, request.projectId, traces);
      reply.type(otlpContentTypes[encoding]);
      return encodeExportResponse(partialSuccess, encoding);
    });
  }
};
