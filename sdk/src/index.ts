export { Tracehouse, type TracehouseOptions } from './client.js';
export { TracehouseError } from './errors.js';
export {
  BatchExporter,
  type DropEvent,
  type DropReason,
  DropReasons,
  type ExporterOptions,
  type IngestResult,
} from './export/exporter.js';
export type { Logger } from './logger.js';
export type { List, Page } from './resources/pages.js';
export { type EndOptions, SpanHandle, type SpanOptions } from './tracing/span-handle.js';
export type { RunOptions } from './tracing/tracer.js';
