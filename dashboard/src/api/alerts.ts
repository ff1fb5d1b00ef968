/**
 * The alert API's shapes (`/v2/alerts/*`), written to match shared/src/api/alerts.ts of the alerter
 * work; once that is merged these can become type-only imports from `@tracehouse/shared`.
 */
export type SpanSignal =
  | 'span.duration_ms'
  | 'span.error_rate'
  | 'span.count'
  | 'span.prompt_tokens'
  | 'span.completion_tokens'
  | 'span.total_tokens'
  | 'span.cost';
export const spanSignals: SpanSignal[] = [
  'span.duration_ms',
  'span.error_rate',
  'span.count',
  'span.prompt_tokens',
  'span.completion_tokens',
  'span.total_tokens',
  'span.cost',
];
export type AlertSource = { type: 'metric'; dimension: string } | { type: 'span'; signal: SpanSignal };
export type Comparator = '>' | '>=' | '<' | '<=';
export type Severity = 'info' | 'warning' | 'critical';
export type AlertChannel = { type: 'webhook' | 'slack'; url: string } | { type: 'log' };

export interface AlertRuleInput {
  name: string;
  description?: string;
  enabled: boolean;
  source: AlertSource;
  filter: { name?: string; type?: string; tags?: Record<string, string>; status?: 'ok' | 'error' | 'unset' };
  aggregation: string;
  window_seconds: number;
  comparator: Comparator;
  threshold: number;
  for_seconds: number;
  no_data: 'keep' | 'ok' | 'firing' | 'no_data';
  severity: Severity;
  channels: AlertChannel[];
  repeat_interval_seconds: number | null;
}

export interface AlertRule extends AlertRuleInput {
  id: string;
  description: string;
  secret_hint: string;
  created_at: string;
  updated_at: string;
}

export interface AlertEvent {
  id: string;
  rule_id: string;
  rule_name: string;
  seq: number;
  kind: 'firing' | 'resolved' | 'no_data' | 'reminder';
  severity: Severity;
  value: number | null;
  threshold: number;
  comparator: Comparator;
  aggregation: string;
  window_seconds: number;
  window_start: string;
  window_end: string;
  at: string;
  sample_trace_ids: string[];
}

export interface AlertPreview {
  step_seconds: number;
  series: { at: string; value: number | null }[];
  transitions: { at: string; kind: AlertEvent['kind']; value: number | null }[];
}

export interface AlertTestResult {
  results: {
    channel: 'webhook' | 'slack' | 'log';
    ok: boolean;
    status: number | null;
    error: string | null;
  }[];
}
