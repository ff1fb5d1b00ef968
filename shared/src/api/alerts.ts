import { z } from 'zod';
import { SpanStatus, Uuid } from '../contracts/common.js';
import { Limits } from '../contracts/limits.js';
import { RequestTimestamp } from './opper-spans.js';
import { Aggregation } from './search.js';

/**
 * Alert rules and alert events (`/v2/alerts/*`). Browser-safe: the dashboard and the SDK build
 * against these. Design and guarantees: docs/ALERTS.md.
 */

/** Values derived from spans. `span.error_rate` is 1 for a span in error, else 0: `avg` is the rate. */
export const SpanSignal = z.enum([
  'span.duration_ms',
  'span.error_rate',
  'span.count',
  'span.prompt_tokens',
  'span.completion_tokens',
  'span.total_tokens',
  'span.cost',
]);
export type SpanSignal = z.output<typeof SpanSignal>;

/** What a rule watches: a span metric by its dimension, or a span-derived signal. */
export const AlertSource = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('metric'), dimension: z.string().min(1).max(Limits.dimensionMaxChars) })
    .strict(),
  z.object({ type: z.literal('span'), signal: SpanSignal }).strict(),
]);
export type AlertSource = z.output<typeof AlertSource>;

/** Which spans (or metrics of which spans) count; every condition ANDed. */
export const AlertFilter = z
  .object({
    name: z.string().min(1).max(Limits.nameMaxChars).optional(),
    type: z.string().min(1).max(Limits.typeMaxChars).optional(),
    tags: z
      .record(z.string().min(1).max(Limits.tagKeyMaxChars), z.string().max(Limits.tagValueMaxChars))
      .refine((t) => Object.keys(t).length <= 16, 'at most 16 tag filters')
      .optional(),
    status: SpanStatus.optional(),
  })
  .strict();
export type AlertFilter = z.output<typeof AlertFilter>;

export const AlertComparator = z.enum(['>', '>=', '<', '<=']);
export type AlertComparator = z.output<typeof AlertComparator>;

/**
 * A window without values: `keep` the current state, count as `ok` (resolves a firing rule), count as
 * `firing`, or move to the `no_data` state (an alert event of its own).
 */
export const NoDataPolicy = z.enum(['keep', 'ok', 'firing', 'no_data']);
export type NoDataPolicy = z.output<typeof NoDataPolicy>;

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.output<typeof AlertSeverity>;

const httpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2_048, 'at most 2048 characters');

/**
 * Where events go. `webhook`: a JSON POST signed with the rule's secret (`X-Tracehouse-Signature:
 * sha256=<hex HMAC-SHA256 of the body>`) carrying `Idempotency-Key: <event id>`. `slack`: a Slack
 * incoming-webhook URL (`{text}` body). `log`: the alerter's structured log.
 */
export const AlertChannel = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), url: httpUrl }).strict(),
  z.object({ type: z.literal('slack'), url: httpUrl }).strict(),
  z.object({ type: z.literal('log') }).strict(),
]);
export type AlertChannel = z.output<typeof AlertChannel>;

const ruleShape = {
  name: z.string().min(1).max(256),
  description: z.string().max(2_048).default(''),
  enabled: z.boolean().default(true),
  source: AlertSource,
  filter: AlertFilter.default({}),
  aggregation: Aggregation,
  /** Sliding window by event time, 1 min to 24 h. */
  window_seconds: z.number().int().min(60).max(86_400),
  comparator: AlertComparator,
  threshold: z.number().refine(Number.isFinite, 'must be a finite number'),
  /** How long the condition must hold before the rule fires; 0 fires at the first crossing. */
  for_seconds: z.number().int().min(0).max(86_400).default(0),
  no_data: NoDataPolicy.default('keep'),
  severity: AlertSeverity.default('warning'),
  channels: z.array(AlertChannel).max(10).default([]),
  /** While firing, notify again this often; null: only on transitions. */
  repeat_interval_seconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .nullable()
    .default(null),
};

type RuleLike = { source?: AlertSource; aggregation?: Aggregation };
/** Signals whose meaning fixes the aggregation: a rate is an average, a count is a count. */
const checkAggregation = (rule: RuleLike, ctx: z.core.$RefinementCtx) => {
  if (rule.source?.type !== 'span' || rule.aggregation === undefined) return;
  const need = { 'span.error_rate': 'avg', 'span.count': 'count' }[rule.source.signal as string];
  if (need && rule.aggregation !== need)
    ctx.addIssue({
      code: 'custom',
      path: ['aggregation'],
      message: `must be ${need} for ${rule.source.signal}`,
    });
};

/** `POST /v2/alerts/rules`. */
export const CreateAlertRuleRequest = z.object(ruleShape).strict().superRefine(checkAggregation);
export type CreateAlertRuleRequest = z.output<typeof CreateAlertRuleRequest>;

/** `PATCH /v2/alerts/rules/{rule_id}`: only the keys present change. */
export const UpdateAlertRuleRequest = z
  .object({
    name: ruleShape.name,
    description: z.string().max(2_048),
    enabled: z.boolean(),
    source: AlertSource,
    filter: AlertFilter,
    aggregation: Aggregation,
    window_seconds: ruleShape.window_seconds,
    comparator: AlertComparator,
    threshold: ruleShape.threshold,
    for_seconds: z.number().int().min(0).max(86_400),
    no_data: NoDataPolicy,
    severity: AlertSeverity,
    channels: z.array(AlertChannel).max(10),
    repeat_interval_seconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .nullable(),
  })
  .partial()
  .strict();
export type UpdateAlertRuleRequest = z.output<typeof UpdateAlertRuleRequest>;

export const AlertRuleParams = z.object({ rule_id: z.uuid('must be a UUID') });

/** A rule as read. The webhook secret is shown once, at creation; reads show its last 4 characters. */
export const AlertRule = z.object({
  id: Uuid,
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  source: AlertSource,
  filter: AlertFilter,
  aggregation: Aggregation,
  window_seconds: z.number().int(),
  comparator: AlertComparator,
  threshold: z.number(),
  for_seconds: z.number().int(),
  no_data: NoDataPolicy,
  severity: AlertSeverity,
  channels: z.array(AlertChannel),
  repeat_interval_seconds: z.number().int().nullable(),
  secret_hint: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AlertRule = z.output<typeof AlertRule>;

/** `POST /v2/alerts/rules` answers with the rule and its webhook signing secret. */
export const AlertRuleCreated = AlertRule.extend({ secret: z.string() });
export type AlertRuleCreated = z.output<typeof AlertRuleCreated>;

export const AlertRuleList = z.object({ data: z.array(AlertRule) });
export type AlertRuleList = z.output<typeof AlertRuleList>;

/** Transitions, plus `reminder` (still firing after `repeat_interval_seconds`). */
export const AlertEventKind = z.enum(['firing', 'resolved', 'no_data', 'reminder']);
export type AlertEventKind = z.output<typeof AlertEventKind>;

export const AlertEvent = z.object({
  /** Deterministic per rule and sequence number; also the webhook's `Idempotency-Key`. */
  id: Uuid,
  rule_id: Uuid,
  rule_name: z.string(),
  /** 1, 2, 3… per rule: the n-th event of the rule. */
  seq: z.number().int(),
  kind: AlertEventKind,
  severity: AlertSeverity,
  /** The aggregate over the window; null when the window had no values. */
  value: z.number().nullable(),
  threshold: z.number(),
  comparator: AlertComparator,
  aggregation: Aggregation,
  source: AlertSource,
  window_seconds: z.number().int(),
  window_start: z.string(),
  window_end: z.string(),
  /** When the alerter decided the transition. */
  at: z.string(),
  /** Up to 10 trace ids whose values were in the window. */
  sample_trace_ids: z.array(z.string()),
});
export type AlertEvent = z.output<typeof AlertEvent>;

/** `GET /v2/alerts/events`: newest first, paged by `next_cursor`. */
export const AlertEventsQuery = z
  .object({
    rule_id: z.uuid('must be a UUID').optional(),
    kind: AlertEventKind.optional(),
    severity: AlertSeverity.optional(),
    from: RequestTimestamp.optional(),
    to: RequestTimestamp.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(1_024).optional(),
  })
  .strict();
export type AlertEventsQuery = z.output<typeof AlertEventsQuery>;

export const AlertEventsPage = z.object({ data: z.array(AlertEvent), next_cursor: z.string().nullable() });
export type AlertEventsPage = z.output<typeof AlertEventsPage>;

/** `POST /v2/alerts/rules/preview`: how a rule would have behaved over a past range of stored data. */
export const AlertPreviewRequest = z
  .object({
    rule: CreateAlertRuleRequest,
    from: RequestTimestamp,
    to: RequestTimestamp,
    /** Evaluation step; default about 120 points over the range, at least 10 s. */
    step_seconds: z.number().int().min(10).max(86_400).optional(),
  })
  .strict();
export type AlertPreviewRequest = z.output<typeof AlertPreviewRequest>;

export const AlertPreviewResponse = z.object({
  step_seconds: z.number().int(),
  series: z.array(z.object({ at: z.string(), value: z.number().nullable() })),
  transitions: z.array(z.object({ at: z.string(), kind: AlertEventKind, value: z.number().nullable() })),
});
export type AlertPreviewResponse = z.output<typeof AlertPreviewResponse>;

/** `POST /v2/alerts/rules/{rule_id}/test`: one sample notification per channel, sent now. */
export const AlertTestResponse = z.object({
  results: z.array(
    z.object({
      channel: z.enum(['webhook', 'slack', 'log']),
      ok: z.boolean(),
      status: z.number().int().nullable(),
      error: z.string().nullable(),
    }),
  ),
});
export type AlertTestResponse = z.output<typeof AlertTestResponse>;

/** What a client sends (before server-side defaults): the SDK's parameter types. */
export type CreateAlertRuleInput = z.input<typeof CreateAlertRuleRequest>;
export type UpdateAlertRuleInput = z.input<typeof UpdateAlertRuleRequest>;
/** `limit` is a number here (the query schema coerces the URL's text). */
export type AlertEventsInput = Omit<z.input<typeof AlertEventsQuery>, 'limit'> & { limit?: number };
export type AlertPreviewInput = z.input<typeof AlertPreviewRequest>;
