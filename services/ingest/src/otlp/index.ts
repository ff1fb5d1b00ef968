export {
  decodeOtlpMessage,
  decodeProtobufTraces,
  encodeExportResponse,
  encodeProtobufTraces,
  encodeStatus,
} from './codec.js';
export { spanUuid, traceUuid } from './ids.js';
export type { OtlpTraces } from './model.js';
export { type OtlpRoutesOptions, otlpContentTypes, otlpEncodingOf, otlpRoutes } from './routes.js';
