import { briefHeader, projectHeader, type SpanUpsertEvent } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { groupByTrace, traceEventRecord } from './write-plans.js';

const rec = (project: string, trace: string, value: string) => ({
  topic: 'th.spans',
  key: trace,
  value,
  headers: { [projectHeader]: project },
});

describe('groupByTrace', () => {
  it('joins one request’s events per trace into one record, in order, keeping the project header', () => {
    const out = groupByTrace(
      [rec('p', 't1', '{"a":1}'), rec('p', 't2', '{"b":2}'), rec('p', 't1', '{"c":3}')],
      'th.spans',
    );
    expect(out).toEqual([
      { topic: 'th.spans', key: 't1', value: '[{"a":1},{"c":3}]', headers: { [projectHeader]: 'p' } },
      { topic: 'th.spans', key: 't2', value: '[{"b":2}]', headers: { [projectHeader]: 'p' } },
    ]);
  });

  it('never puts two projects’ events in one record, even with the same trace id', () => {
    const out = groupByTrace([rec('p1', 't', '{"a":1}'), rec('p2', 't', '{"b":2}')], 'th.spans');
    expect(out.map((r) => [r.headers?.[projectHeader], r.value])).toEqual([
      ['p1', '[{"a":1}]'],
      ['p2', '[{"b":2}]'],
    ]);
  });

  it('passes records of other topics through as they are', () => {
    const index = { topic: 'th.span-index', key: 'k', value: '[]' };
    expect(groupByTrace([index], 'th.spans')).toEqual([index]);
  });

  it('adds a brief header (events without input, output and metadata) to records it makes much smaller', () => {
    const event = (id: string, text: string): SpanUpsertEvent => ({
      v: 1,
      kind: 'span.upsert',
      version: 1,
      project_id: 'p',
      id,
      trace_id: 't',
      received_at: '2026-12-02T00:00:00.000000Z',
      fields: { name: 'generate', input: JSON.stringify(text), output: null, meta: { k: '1' }, status: 'ok' },
    });
    const big = [event('s1', 'x'.repeat(5_000)), event('s2', 'y'.repeat(5_000))];
    const [record] = groupByTrace(
      big.map((e) => traceEventRecord('th.spans', e)),
      'th.spans',
    );
    expect(JSON.parse(record!.value)).toEqual(big);
    const { input: _i, output: _o, meta: _m, ...kept } = big[0]!.fields;
    expect(JSON.parse(record!.headers![briefHeader]!)).toEqual(big.map((e) => ({ ...e, fields: kept })));
    expect('brief' in record!).toBe(false);

    // Small events: a brief would save the alerter next to nothing, so none is sent.
    const [small] = groupByTrace([traceEventRecord('th.spans', event('s3', 'short'))], 'th.spans');
    expect(small!.headers).toEqual({ [projectHeader]: 'p' });
  });
});
