import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The vendored .proto files the OTLP receiver is compiled from (see proto/README.md). */
export const protoFiles = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'google/rpc/status.proto',
] as const;

const protoDir = fileURLToPath(new URL('./proto/', import.meta.url));

/** Parses the vendored .proto files into a protobufjs descriptor (for the generator and its test). */
export function descriptorFromProtos(): protobuf.INamespace {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : `${protoDir}${target}`;
  root.loadSync([...protoFiles]);
  return root.toJSON();
}
