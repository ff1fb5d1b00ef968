// The alert API's shapes (`/v2/alerts/*`) are the server's own contracts, imported type-only: nothing
// of zod reaches the bundle. Local names are the ones the alert pages use.
import type { SpanSignal } from '@tracehouse/shared';

export type {
  AlertChannel,
  AlertComparator as Comparator,
  AlertEvent,
  AlertPreviewResponse as AlertPreview,
  AlertRule,
  AlertSeverity as Severity,
  AlertSource,
  AlertTestResponse as AlertTestResult,
  CreateAlertRuleRequest as AlertRuleInput,
  SpanSignal,
} from '@tracehouse/shared';

/** Every span signal, in the order the rule form offers them (a runtime list; the type is shared). */
export const spanSignals = [
  'span.duration_ms',
  'span.error_rate',
  'span.count',
  'span.prompt_tokens',
  'span.completion_tokens',
  'span.total_tokens',
  'span.cost',
] as const satisfies readonly SpanSignal[];

// Fails to compile when the server gains a signal this list lacks.
const everySignal: Exclude<SpanSignal, (typeof spanSignals)[number]> extends never ? true : false = true;
void everySignal;
