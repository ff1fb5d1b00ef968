import { projectHeader } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { groupByTrace } from './write-plans.js';

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
});
