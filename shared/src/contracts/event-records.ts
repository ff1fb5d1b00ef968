/**
 * How events travel in Kafka records. Ingest groups the events of one request by trace into one
 * record (a JSON array), keyed by the trace id: one record per trace and request instead of one per
 * event, so the per-record costs (headers, CRC, offsets) are paid once for many spans, and a trace's
 * events stay in order on one partition. Records holding a single JSON object (earlier versions) are
 * read the same way.
 */
export function encodeEventRecord(events: readonly unknown[]): string {
  return JSON.stringify(events);
}

/** The events of one record, in order; throws (SyntaxError) when the value is not JSON. */
export function decodeEventRecord(value: string): unknown[] {
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/**
 * The Kafka header naming the project of every event in a spans-topic record (one record never mixes
 * projects). Records written before it existed have none; consumers then read the events themselves.
 */
export const projectHeader = 'project';
