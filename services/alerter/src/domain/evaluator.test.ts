import { type AlertEventRow, createLogger } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { eventId, RuleEvaluator } from './evaluator.js';
import { identityOf, type LiveRule, RuleBook, StoredRuleSpec } from './rule-book.js';
import { WindowStore } from './window-store.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const spec = StoredRuleSpec.parse({
  name: 'r',
  enabled: true,
  source: { type: 'metric', dimension: 'q' },
  aggregation: 'max',
  window_seconds: 10,
  comparator: '>',
  threshold: 5,
  channels: [{ type: 'log' }],
});
const rule: LiveRule = {
  ...spec,
  id: 'r1',
  projectId: 'p',
  secret: 's',
  version: 1,
  identity: identityOf(spec),
};

function setup(stored: AlertEventRow[] = []) {
  let now = 100_000;
  const rules = new RuleBook();
  rules.replace([rule]);
  const windows = new WindowStore({ exactMax: 100, latenessMs: 0 });
  windows.sync([rule], 0);
  const ownership = { generation: 1, ownedSince: (_id: string): number | undefined => 0 };
  let failInsert = false;
  const delivered: string[] = [];
  const acquired: string[][] = [];
  const evaluator = new RuleEvaluator({
    rules,
    windows,
    ownership,
    store: {
      lastEvents: async () => stored.slice(-1),
      insertEvents: async (rows) => {
        if (failInsert) throw new Error('ClickHouse down');
        stored.push(...rows);
      },
    },
    deliver: (row, to) => {
      expect(to.id).toBe(row.rule_id); // the rule whose channels it goes to, deleted or not
      delivered.push(row.kind);
    },
    onAcquired: async (rs) => {
      acquired.push(rs.map((r) => r.id));
    },
    logger,
    clock: () => now,
    graceMs: 0,
  });
  return {
    evaluator,
    rules,
    stored,
    delivered,
    acquired,
    ownership,
    add: (v: number) => windows.add(rule, now - 2_000, v, 't', now),
    advance: (ms: number) => (now += ms),
    failInserts: (on: boolean) => (failInsert = on),
  };
}

describe('RuleEvaluator', () => {
  it('stores an event before moving the state, so a failed insert is decided again next tick', async () => {
    const t = setup();
    t.add(9);
    t.failInserts(true);
    await expect(t.evaluator.tick()).rejects.toThrow('ClickHouse down');
    expect(t.delivered).toEqual([]);
    t.failInserts(false);
    expect(await t.evaluator.tick()).toBe(1);
    expect(t.stored.map((e) => [e.kind, e.seq, e.event_id])).toEqual([['firing', 1, eventId('r1', 1)]]);
    expect(t.delivered).toEqual(['firing']);
    expect(await t.evaluator.tick()).toBe(0); // still firing: nothing new
  });

  it('a new owner continues from the last stored event: no repeat, next seq', async () => {
    const first = setup();
    first.add(9);
    await first.evaluator.tick();
    const next = setup(first.stored);
    next.add(9);
    expect(await next.evaluator.tick()).toBe(0);
    next.advance(20_000); // the value left the window: count as no data, policy keep
    next.add(1);
    await next.evaluator.tick();
    expect(next.stored.map((e) => [e.kind, e.seq])).toEqual([
      ['firing', 1],
      ['resolved', 2],
    ]);
  });

  it('takes every rule over again after a reassignment, and skips rules another process owns', async () => {
    const t = setup();
    await t.evaluator.tick();
    t.ownership.generation = 2;
    await t.evaluator.tick();
    expect(t.acquired).toEqual([['r1'], ['r1']]);
    t.ownership.ownedSince = () => undefined;
    t.add(9);
    expect(await t.evaluator.tick()).toBe(0);
  });

  it('a firing rule that is disabled resolves once; enabled again, it starts from ok', async () => {
    const t = setup();
    t.add(9);
    await t.evaluator.tick();
    t.rules.replace([{ ...rule, enabled: false }]);
    expect(await t.evaluator.tick()).toBe(1);
    expect(await t.evaluator.tick()).toBe(0);
    expect(t.stored.map((e) => [e.kind, e.seq, e.value])).toEqual([
      ['firing', 1, 9],
      ['resolved', 2, null],
    ]);
    expect(t.delivered).toEqual(['firing', 'resolved']);
    t.rules.replace([rule]);
    await t.evaluator.tick();
    expect(t.stored.at(-1)).toMatchObject({ kind: 'firing', seq: 3 });
  });

  it('a firing rule that is deleted resolves once, delivered to its channels, then is forgotten', async () => {
    const t = setup();
    t.add(9);
    await t.evaluator.tick();
    t.evaluator.retire(t.rules.replace([]));
    expect(await t.evaluator.tick()).toBe(1);
    expect(t.stored.map((e) => [e.kind, e.seq])).toEqual([
      ['firing', 1],
      ['resolved', 2],
    ]);
    expect(t.delivered).toEqual(['firing', 'resolved']);
    expect(await t.evaluator.tick()).toBe(0);
    expect(t.evaluator.state('r1')).toBeUndefined();
  });

  it('a disabled rule taken over from the store resolves what the previous owner left firing', async () => {
    const first = setup();
    first.add(9);
    await first.evaluator.tick();
    const next = setup(first.stored);
    next.rules.replace([{ ...rule, enabled: false }]);
    expect(await next.evaluator.tick()).toBe(1);
    expect(next.stored.at(-1)).toMatchObject({ kind: 'resolved', seq: 2 });
  });
});
