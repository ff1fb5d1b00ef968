import { AppError, ErrorCodes } from '@tracehouse/shared';
import Long from 'long';
import protobuf from 'protobufjs';
import type { OtlpTraces } from './model.js';
import { normalizeTraces } from './normalize.js';
import { otlpDescriptor } from './otlp-descriptor.gen.js';

/**
 * OTLP/HTTP bodies in and out. Protobuf goes through protobufjs with the official opentelemetry-proto
 * definitions (vendored, compiled to a JSON descriptor): the OpenTelemetry JS packages no longer ship
 * a decoder for requests (their serializers only encode requests and decode responses).
 */
export type OtlpEncoding = 'protobuf' | 'json';

// 64-bit fields (nanosecond times, int attributes) need Long to keep every digit. protobufjs finds it
// with a runtime require that module runners (vitest) can hide, so it is wired here explicitly.
protobuf.util.Long = Long;
protobuf.configure();

const root = protobuf.Root.fromJSON(otlpDescriptor as protobuf.INamespace);
const RequestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const ResponseType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const StatusType = root.lookupType('google.rpc.Status');

const badPayload = (message: string, cause?: unknown) =>
  new AppError(ErrorCodes.BAD_REQUEST, message, { cause, details: { reason: message } });

/** An ExportTraceServiceRequest from a protobuf body; undecodable bytes are a 400 with the reason. */
export function decodeProtobufTraces(body: Uint8Array): OtlpTraces {
  let object: Record<string, unknown>;
  try {
    // Both steps recurse (AnyValue nests): absurd nesting ends as a RangeError here, a 400 too.
    const message = RequestType.decode(body);
    object = RequestType.toObject(message, { longs: String, enums: Number, bytes: String });
  } catch (err) {
    throw badPayload(`body: not an OTLP ExportTraceServiceRequest (${(err as Error).message})`, err);
  }
  return normalizeTraces(object, 'base64');
}

/** An ExportTraceServiceRequest from an OTLP/JSON body already parsed as JSON. */
export function decodeJsonTraces(body: unknown): OtlpTraces {
  return normalizeTraces(body, 'hex');
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/**
 * ExportTraceServiceResponse in the request's encoding. Full success leaves `partial_success` unset,
 * as the spec recommends; int64 in JSON is a string (proto3 JSON mapping).
 */
export function encodeExportResponse(partial: PartialSuccess | undefined, encoding: OtlpEncoding) {
  if (encoding === 'json') {
    return partial
      ? {
          partialSuccess: {
            rejectedSpans: String(partial.rejectedSpans),
            errorMessage: partial.errorMessage,
          },
        }
      : {};
  }
  const message = ResponseType.fromObject(partial ? { partialSuccess: partial } : {});
  return Buffer.from(ResponseType.encode(message).finish());
}

/** The google.rpc.Status body OTLP/HTTP sends with an error response, in the request's encoding. */
export function encodeStatus(code: number, message: string, encoding: OtlpEncoding) {
  if (encoding === 'json') return { code, message };
  return Buffer.from(StatusType.encode(StatusType.fromObject({ code, message })).finish());
}

/** Test and bench helper: an OTLP/JSON-shaped object (hex ids) as a protobuf body. */
export function encodeProtobufTraces(json: unknown): Uint8Array {
  const withBytes = JSON.parse(JSON.stringify(json), (key, value) =>
    (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string'
      ? Buffer.from(value, 'hex').toString('base64')
      : value,
  );
  return RequestType.encode(RequestType.fromObject(withBytes)).finish();
}

/** Test helper: an ExportTraceServiceResponse or google.rpc.Status protobuf body as an object. */
export function decodeOtlpMessage(kind: 'response' | 'status', body: Uint8Array): Record<string, unknown> {
  const type = kind === 'response' ? ResponseType : StatusType;
  return type.toObject(type.decode(body), { longs: Number, defaults: false });
}
