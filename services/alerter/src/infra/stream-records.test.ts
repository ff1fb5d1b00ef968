import { randomUUID } from 'node:crypto';
import { Limits, projectHeader } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { decodeMessages, type StreamMessage } from './stream-records.js';

const withRules = randomUUID();
const withoutRules = randomUUID();
const wanted = (projectId: string) => projectId === withRules;

const span = (projectId: string, extra: Record<string, unknown> = {}) => ({
  v: 1,
  kind: 'span.upsert',
  version: 1,
  project_id: projectId,
  id: randomUUID(),
  trace_id: randomUUID(),
  received_at: '2026-12-02T00:00:00.000000Z',
  fields: {
    name: 'generate',
    input: '"a prompt"',
    output: '"an answer"',
    meta: { k: 1 },
    tags: { env: 'prod' },
  },
  ...extra,
});

const message = (events: unknown, project?: string): StreamMessage => ({
  value: Buffer.from(JSON.stringify(events)),
  ...(project === undefined ? {} : { headers: { [projectHeader]: Buffer.from(project) } }),
});

describe('decodeMessages', () => {
  it('skips, unread, the records of projects no rule needs', () => {
    const out = decodeMessages(
      [message([span(withoutRules)], withoutRules), message('not even an event', withoutRules)],
      wanted,
    );
    expect(out).toEqual({ events: [], unparsable: 0, skipped: 2 });
  });

  it('reads the records of projects with rules, and records without the header', () => {
    const a = span(withRules);
    const b = span(withoutRules);
    const out = decodeMessages([message([a], withRules), message(b)], wanted);
    expect(out.skipped).toBe(0);
    expect(out.events.map((e) => e.id)).toEqual([a.id, b.id]);
  });

  it('reads what rules use, whatever the input, output and metadata', () => {
    const exact = span(withRules);
    // Metadata the writer would refuse (too many keys): the alerter neither checks nor needs it.
    const meta = Object.fromEntries(Array.from({ length: Limits.metaMaxKeys + 1 }, (_, i) => [`k${i}`, i]));
    const loose = span(withRules, { fields: { ...exact.fields, meta } });
    const events = decodeMessages([message([exact, loose], withRules)], wanted).events;
    expect(events.map((e) => e.kind)).toEqual(['span.upsert', 'span.upsert']);
    for (const event of events) {
      expect(event && 'fields' in event ? event.fields : undefined).toMatchObject({
        name: 'generate',
        tags: { env: 'prod' },
      });
    }
    const fields = events[1] && 'fields' in events[1] ? (events[1].fields as Record<string, unknown>) : {};
    expect(fields).not.toHaveProperty('meta');
  });

  it('counts what it cannot read and goes on', () => {
    const good = span(withRules);
    const out = decodeMessages(
      [
        { value: Buffer.from('{not json'), headers: { [projectHeader]: withRules } },
        message([{ kind: 'span.upsert' }, good], withRules),
      ],
      wanted,
    );
    expect(out.unparsable).toBe(2);
    expect(out.events.map((e) => e.id)).toEqual([good.id]);
  });
});
