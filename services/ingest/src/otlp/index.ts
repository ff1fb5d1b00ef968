export { decodeProtobufTraces, encodeExportResponse, encodeProtobufTraces, encodeStatus } from './codec.js';
export { spanUuid, traceUuid } from './ids.js';
export type { OtlpTraces } from './model.js';
export { otlpContentTypes, otlpEncodingOf, otlpRoutes, type OtlpRoutesOptions } from './routes.js';
