import type { AlertComparator, AlertEventKind, NoDataPolicy } from '../api/alerts.js';
import { crosses } from './aggregate.js';

/** What a rule's owner remembers between evaluations; rebuilt from the rule's last stored event. */
export interface RuleState {
  status: 'ok' | 'firing' | 'no_data';
  /** Since when (ms) the condition has held without firing yet (`for`); null when it does not hold. */
  pendingSince: number | null;
  /** When (ms) the last firing or reminder was sent. */
  lastNotifiedAt: number | null;
  /** Number of events the rule has produced so far. */
  seq: number;
}

export const initialRuleState = (): RuleState => ({
  status: 'ok',
  pendingSince: null,
  lastNotifiedAt: null,
  seq: 0,
});

export interface RuleCondition {
  comparator: AlertComparator;
  threshold: number;
  for_seconds: number;
  no_data: NoDataPolicy;
  repeat_interval_seconds: number | null;
}

/** The state a stored event leaves a rule in (how a new owner takes over). */
export function stateAfter(event: { kind: AlertEventKind; seq: number; atMs: number }): RuleState {
  const firing = event.kind === 'firing' || event.kind === 'reminder';
  return {
    status: firing ? 'firing' : event.kind === 'no_data' ? 'no_data' : 'ok',
    pendingSince: null,
    lastNotifiedAt: firing ? event.atMs : null,
    seq: event.seq,
  };
}

/**
 * A rule that stops being evaluated (disabled or deleted) closes what it had open: a firing or no-data
 * rule resolves, as Alertmanager resolves an alert whose rule is gone, so no receiver is left firing.
 */
export function standDown(state: RuleState): { state: RuleState; emit: AlertEventKind | null } {
  if (state.status === 'ok') return { state, emit: null };
  return {
    state: { status: 'ok', pendingSince: null, lastNotifiedAt: null, seq: state.seq + 1 },
    emit: 'resolved',
  };
}

/**
 * One evaluation: the window's value (null: no values) at `now` → the next state and the event to
 * emit, if any. Pure, so the alerter and the preview make the same decisions.
 */
export function step(
  state: RuleState,
  value: number | null,
  now: number,
  rule: RuleCondition,
): { state: RuleState; emit: AlertEventKind | null } {
  let holds: boolean;
  if (value === null) {
    if (rule.no_data === 'keep') return { state, emit: null };
    if (rule.no_data === 'no_data') {
      if (state.status === 'no_data') return { state, emit: null };
      return {
        state: { ...state, status: 'no_data', pendingSince: null, seq: state.seq + 1 },
        emit: 'no_data',
      };
    }
    holds = rule.no_data === 'firing';
  } else {
    holds = crosses(value, rule.comparator, rule.threshold);
  }
  if (!holds) {
    const next = { ...state, pendingSince: null };
    if (state.status === 'ok') return { state: next, emit: null };
    return { state: { ...next, status: 'ok', lastNotifiedAt: null, seq: state.seq + 1 }, emit: 'resolved' };
  }
  if (state.status === 'firing') {
    const repeatMs = rule.repeat_interval_seconds === null ? null : rule.repeat_interval_seconds * 1000;
    if (repeatMs !== null && state.lastNotifiedAt !== null && now - state.lastNotifiedAt >= repeatMs)
      return { state: { ...state, lastNotifiedAt: now, seq: state.seq + 1 }, emit: 'reminder' };
    return { state, emit: null };
  }
  const pendingSince = state.pendingSince ?? now;
  if (now - pendingSince < rule.for_seconds * 1000) return { state: { ...state, pendingSince }, emit: null };
  return {
    state: { status: 'firing', pendingSince: null, lastNotifiedAt: now, seq: state.seq + 1 },
    emit: 'firing',
  };
}
