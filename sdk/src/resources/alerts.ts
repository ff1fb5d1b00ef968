import type {
  AlertEventsInput,
  AlertEventsPage,
  AlertPreviewInput,
  AlertPreviewResponse,
  AlertRule,
  AlertRuleCreated,
  AlertRuleList,
  AlertTestResponse,
  CreateAlertRuleInput,
  UpdateAlertRuleInput,
} from '@tracehouse/shared';
import type { HttpClient } from '../http.js';

const rule = (id: string) => `/alerts/rules/${encodeURIComponent(id)}`;

/** Alert rules on metrics and span signals, and the events their transitions produced (ours). */
export class Alerts {
  constructor(private readonly http: HttpClient) {}

  /** Creates a rule; the answer carries the webhook signing secret, shown only this once. */
  createRule(spec: CreateAlertRuleInput): Promise<AlertRuleCreated> {
    return this.http.request('POST', '/alerts/rules', { body: spec });
  }

  listRules(): Promise<AlertRuleList> {
    return this.http.request('GET', '/alerts/rules', { retry: true });
  }

  getRule(ruleId: string): Promise<AlertRule> {
    return this.http.request('GET', rule(ruleId), { retry: true });
  }

  /** Only the keys given change. */
  updateRule(ruleId: string, changes: UpdateAlertRuleInput): Promise<AlertRule> {
    return this.http.request('PATCH', rule(ruleId), { body: changes });
  }

  enableRule(ruleId: string): Promise<AlertRule> {
    return this.http.request('POST', `${rule(ruleId)}/enable`, { retry: true });
  }

  disableRule(ruleId: string): Promise<AlertRule> {
    return this.http.request('POST', `${rule(ruleId)}/disable`, { retry: true });
  }

  deleteRule(ruleId: string): Promise<void> {
    return this.http.request('DELETE', rule(ruleId));
  }

  /** Sends a sample notification to each of the rule's channels and reports each answer. */
  testRule(ruleId: string): Promise<AlertTestResponse> {
    return this.http.request('POST', `${rule(ruleId)}/test`);
  }

  /** How a rule would have behaved over a past range of stored data (series and transitions). */
  preview(request: AlertPreviewInput): Promise<AlertPreviewResponse> {
    return this.http.request('POST', '/alerts/rules/preview', { body: request, retry: true });
  }

  /** One page of events, newest first; pass `next_cursor` back as `cursor` for the next. */
  listEvents(query: AlertEventsInput = {}): Promise<AlertEventsPage> {
    return this.http.request('GET', '/alerts/events', { query, retry: true });
  }

  /** Every event matching `query`, page after page. */
  async *events(
    query: Omit<AlertEventsInput, 'cursor'> = {},
  ): AsyncGenerator<AlertEventsPage['data'][number]> {
    let cursor: string | undefined;
    do {
      const page = await this.listEvents({ ...query, cursor });
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }
}
