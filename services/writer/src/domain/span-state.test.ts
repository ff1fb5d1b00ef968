import type { SpanEvent } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { applySpanEvent, type SpanState, stateFromRow } from './span-state.js';

const ids = {
  project_id: '00000000-0000-4000-8000-000000000001',
  id: '00000000-0000-4000-8000-0000000000aa',
  trace_id: '00000000-0000-4000-8000-0000000000bb',
};

const upsert = (version: number, fields: Record<string, unknown>): SpanEvent =>
  ({
    v: 1,
    kind: 'span.upsert',
    version,
    received_at: '2025-01-01T00:00:00.000000Z',
    ...ids,
    fields,
  }) as SpanEvent;
const patch = (version: number, fields: Record<string, unknown>): SpanEvent =>
  ({
    v: 1,
    kind: 'span.patch',
    version,
    received_at: '2025-01-01T00:00:01.000000Z',
    ...ids,
    fields,
  }) as SpanEvent;
const del = (version: number): SpanEvent =>
  ({ v: 1, kind: 'span.delete', version, received_at: '2025-01-01T00:00:02.000000Z', ...ids }) as SpanEvent;

function fold(events: SpanEvent[], start?: SpanState): SpanState {
  let state = start;
  for (const e of events) state = applySpanEvent(state, e).state;
  return state!;
}

const create = upsert(10, {
  name: 'llm-call',
  start_time: '2025-01-01T00:00:00.123456Z',
  input: '{"q":"hi"}',
  meta: { a: 1 },
  tags: { env: 'prod' },
  status: 'unset',
});
const update = patch(20, {
  end_time: '2025-01-01T00:00:01.000000Z',
  output: '"hello"',
  meta: { b: 'x' },
  tags: { user: 'u1' },
});

describe('applySpanEvent', () => {
  it('meta: null and tags: null clear every key, and an older write cannot bring a cleared key back', () => {
    const cleared = fold([create, update, patch(30, { meta: null, tags: null })]);
    expect(cleared.row.meta).toEqual({});
    expect(cleared.row.tags).toEqual({});
    const late = fold([patch(25, { meta: { a: 2 }, tags: { env: 'dev' } })], cleared);
    expect(late.row.meta).toEqual({});
    expect(late.row.tags).toEqual({});
    const after = fold([patch(40, { meta: { c: true } })], cleared);
    expect(after.row.meta).toEqual({ c: 'true' });
  });

  it('merges a patch after its span: fields set, meta and tags merged key by key', () => {
    const s = fold([create, update]);
    expect(s.row).toMatchObject({
      name: 'llm-call',
      start_time: '2025-01-01 00:00:00.123456',
      end_time: '2025-01-01 00:00:01.000000',
      input: '{"q":"hi"}',
      output: '"hello"',
      meta: { a: '1', b: '"x"' },
      tags: { env: 'prod', user: 'u1' },
      version: 20,
      deleted: 0,
    });
  });

  it('gives the same span whatever order the events arrive in', () => {
    expect(fold([update, create]).row).toEqual(fold([create, update]).row);
  });

  it('ignores a redelivered older event', () => {
    const s = fold([create, update]);
    const { changed } = applySpanEvent(s, create);
    expect(changed).toBe(false);
    expect(s.row.output).toBe('"hello"');
  });

  it('a later patch wins a field; an older one loses it', () => {
    const s = fold([create, patch(30, { name: 'renamed' }), patch(25, { name: 'stale' })]);
    expect(s.row.name).toBe('renamed');
  });

  it('removes a meta key set to null', () => {
    expect(fold([create, patch(30, { meta: { a: null } })]).row.meta).toEqual({});
  });

  it('deletes, and an older upsert does not bring the span back', () => {
    const s = fold([create, del(40)]);
    expect(s.row.deleted).toBe(1);
    expect(applySpanEvent(s, create).state.row.deleted).toBe(1);
  });

  it('fills a stored pending patch with its late create (empty fields are unclaimed)', () => {
    const pending = fold([update]);
    expect(pending.row.name).toBe('');
    const reloaded = stateFromRow({ ...pending.row });
    const merged = applySpanEvent(reloaded, create).state;
    expect(merged.row).toMatchObject({
      name: 'llm-call',
      input: '{"q":"hi"}',
      output: '"hello"',
      version: 20,
    });
  });

  it('adds up total tokens when only parts are given', () => {
    expect(
      fold([upsert(1, { name: 'x', usage: { prompt_tokens: 3, completion_tokens: 4 } })]).row.total_tokens,
    ).toBe(7);
  });
});
