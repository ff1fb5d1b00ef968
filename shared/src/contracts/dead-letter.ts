import { z } from 'zod';
import { SchemaVersion, Timestamp } from './common.js';

/** A message the writer could not parse or apply, kept with the reason instead of blocking the stream. */
export const DeadLetter = z.object({
  v: SchemaVersion,
  source_topic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
  key: z.string().nullable(),
  /** The original value, as text when it was UTF-8, else base64 (see `value_encoding`). */
  value: z.string().nullable(),
  value_encoding: z.enum(['utf8', 'base64']),
  reason: z.string(),
  failed_at: Timestamp,
});
export type DeadLetter = z.infer<typeof DeadLetter>;
