import type { AppError, DeadLetter } from '@tracehouse/shared';
import type { Pending } from './batch-buffer.js';

/**
 * A dead letter for a message, or for one event of it (`event` given: that event alone is kept, so a
 * record of many events costs one letter per refused event, not the whole record).
 */
export function deadLetter(source: Pending, reason: string, now: Date, event?: unknown): DeadLetter {
  const value = event === undefined ? source.value : Buffer.from(JSON.stringify(event));
  const text = value?.toString('utf8');
  const isText = text !== undefined && Buffer.from(text, 'utf8').equals(value!);
  return {
    v: 1,
    source_topic: source.topic,
    partition: source.partition,
    offset: source.offset,
    key: source.key,
    value: value ? (isText ? text! : value.toString('base64')) : null,
    value_encoding: isText || !value ? 'utf8' : 'base64',
    reason,
    failed_at: now.toISOString(),
  };
}

/**
 * Why ClickHouse refused something, without its text: a server message can quote the row, and rows
 * carry users' payloads. The code, ClickHouse's own code and a digest identify it.
 */
export function refusalReason(what: string, err: AppError): string {
  const ch =
    err.details.clickhouseCode === undefined ? '' : ` ClickHouse code ${String(err.details.clickhouseCode)}`;
  const digest = err.details.digest === undefined ? '' : `, digest ${String(err.details.digest)}`;
  return `ClickHouse refused ${what}: ${err.code}${ch}${digest}`;
}
