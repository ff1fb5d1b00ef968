import { projectHeader } from '@tracehouse/shared';
import { decodeTraceRecord, ioHeader, type JsonLiteral, tokenMinChars } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { groupByTrace, traceEventRecord } from './write-plans.js';

const event = (project: string, trace: string, id: string, input?: string) =>
  traceEventRecord('th.spans', {
    v: 1,
    kind: 'span.upsert',
    version: 1,
    project_id: project,
    id,
    trace_id: trace,
    received_at: '2026-12-02T00:00:00.000000Z',
    fields: input === undefined ? { name: id } : { name: id, input },
  });

const ids = (value: string | Buffer) => (JSON.parse(value.toString()) as { id: string }[]).map((e) => e.id);

describe('groupByTrace', () => {
  it('joins one request’s events per trace into one record, in order, keeping the project header', () => {
    const out = groupByTrace([event('p', 't1', 'a'), event('p', 't2', 'b'), event('p', 't1', 'c')]);
    expect(out.map((r) => [r.topic, r.key, ids(r.value), r.headers])).toEqual([
      ['th.spans', 't1', ['a', 'c'], { [projectHeader]: 'p' }],
      ['th.spans', 't2', ['b'], { [projectHeader]: 'p' }],
    ]);
  });

  it('never puts two projects’ events in one record, even with the same trace id', () => {
    const out = groupByTrace([event('p1', 't', 'a'), event('p2', 't', 'b')]);
    expect(out.map((r) => [r.headers?.[projectHeader], ids(r.value)])).toEqual([
      ['p1', ['a']],
      ['p2', ['b']],
    ]);
  });

  it('says where the inputs lie, so a reader takes them as tokens', () => {
    const x = JSON.stringify('x'.repeat(tokenMinChars));
    const list = JSON.stringify(Array.from({ length: tokenMinChars }, (_, i) => i));
    const [record] = groupByTrace([
      event('p', 't', 'a', x),
      event('p', 't', 'b'),
      event('p', 't', 'c', list),
    ]);
    const decoded = decodeTraceRecord(record!.value as Buffer, record!.headers?.[ioHeader]);
    const inputs = decoded.map((e) => (e as { fields: { input?: unknown } }).fields.input);
    expect(inputs[1]).toBeUndefined();
    expect([inputs[0], inputs[2]].map((i) => (i as JsonLiteral).text())).toEqual([x, list]);
  });

  it('passes records of other topics through as they are', () => {
    const index = { topic: 'th.span-index', key: 'k', value: '[]' };
    expect(groupByTrace([index])).toEqual([index]);
  });
});
