/**
 * OTLP trace data after decoding, the same whichever wire format it came in (protobuf or JSON):
 * ids as lower-case hex, times as nanosecond decimal strings, attribute values as plain JSON values.
 */

/** An OTLP AnyValue as plain JSON: kvlists become objects, bytes become base64 strings. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface OtlpEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** '' when the span is a root. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  events: OtlpEvent[];
  links: OtlpLink[];
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

export interface OtlpScopeSpans {
  scope: { name: string; version: string; attributes: Attributes };
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource: Attributes;
  scopeSpans: OtlpScopeSpans[];
}

/** ExportTraceServiceRequest. */
export interface OtlpTraces {
  resourceSpans: OtlpResourceSpans[];
}
