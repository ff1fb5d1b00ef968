import { describe, expect, it } from 'vitest';
import { identityOf, type LiveRule, RuleBook, StoredRuleSpec } from './rule-book.js';

const live = (id: string, projectId: string, enabled: boolean): LiveRule => {
  const spec = StoredRuleSpec.parse({
    name: id,
    enabled,
    source: { type: 'span', signal: 'span.error_rate' },
    aggregation: 'avg',
    window_seconds: 60,
    comparator: '>',
    threshold: 0.1,
    channels: [{ type: 'log' }],
  });
  return { ...spec, id, projectId, secret: 's', version: 1, identity: identityOf(spec) };
};

describe('RuleBook.hasRules', () => {
  it('is true only for projects with an enabled rule, and follows each replace', () => {
    const book = new RuleBook();
    book.replace([live('a', 'p1', true), live('b', 'p2', false)]);
    expect([book.hasRules('p1'), book.hasRules('p2'), book.hasRules('p3')]).toEqual([true, false, false]);
    book.replace([live('b', 'p2', true)]);
    expect([book.hasRules('p1'), book.hasRules('p2')]).toEqual([false, true]);
  });
});
