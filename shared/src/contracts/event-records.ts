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

/**
 * Span fields the alerter never reads: most of a span's bytes. A record's brief (below) leaves them
 * out, and the alerter does not validate them when it reads a whole record.
 */
export const fieldsAlertsIgnore = ['input', 'output', 'meta', 'feedback_comment'] as const;

/**
 * The Kafka header carrying a spans-topic record's events without `fieldsAlertsIgnore`: a JSON array,
 * one entry per event, in the record's order. Ingest adds it when the record is several times larger
 * (realistic spans carry kilobytes of input and output), so the alerter parses a few hundred bytes per
 * span instead of the payload. Records without it (small ones, or from earlier versions) are read
 * whole. The writer never reads it.
 */
export const briefHeader = 'brief';

/** An event as its brief carries it: span fields other than `fieldsAlertsIgnore`; anything else whole. */
export function briefOf<E extends { fields?: object }>(event: E): E {
  if (!event.fields) return event;
  const fields: Record<string, unknown> = { ...event.fields };
  for (const name of fieldsAlertsIgnore) delete fields[name];
  return { ...event, fields };
}
