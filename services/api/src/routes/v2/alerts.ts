import type { ClickHouseClient } from '@clickhouse/client';
import {
  AlertEventsQuery,
  AlertPreviewRequest,
  AlertRuleParams,
  CreateAlertRuleRequest,
  parseInput,
  UpdateAlertRuleRequest,
} from '@tracehouse/shared';
import type { Logger } from '@tracehouse/shared/node';
import type { FastifyPluginAsync } from 'fastify';
import { listEvents } from '../../alerts/events-service.js';
import { alertOperations } from '../../alerts/operations.js';
import { previewRule } from '../../alerts/preview.js';
import { AlertRuleService } from '../../alerts/rule-service.js';
import { sendTestNotification } from '../../alerts/test-notification.js';

export interface AlertRoutesOptions {
  clickhouse: ClickHouseClient;
  clock?: () => number;
  /** How long `…/test` waits for each channel. */
  testTimeoutMs?: number;
}

/**
 * Alert rules and events (`/v2/alerts/*`), project-scoped. Self-contained: it needs only ClickHouse,
 * `request.projectId` (auth) and the host's error handler. Evaluation runs in services/alerter.
 */
/** The route's schema (API reference and validation) from its entry in `alertOperations`. */
function schemaOf(method: string, path: string) {
  const op = alertOperations.find((o) => o.method === method && o.path === path);
  if (!op) throw new Error(`no alert operation ${method} ${path}`);
  return {
    schema: {
      tags: ['Alerts'],
      summary: op.summary,
      ...('params' in op ? { params: op.params } : {}),
      ...('body' in op ? { body: op.body } : {}),
      ...('query' in op ? { querystring: op.query } : {}),
      ...('response' in op ? { response: { [op.status]: op.response } } : {}),
    },
  };
}

export const alertRoutes: FastifyPluginAsync<AlertRoutesOptions> = async (
  app,
  { clickhouse, clock, testTimeoutMs },
) => {
  const rules = new AlertRuleService(clickhouse, clock);
  const now = clock ?? Date.now;

  app.post('/v2/alerts/rules', schemaOf('post', '/v2/alerts/rules'), async (request, reply) => {
    const spec = parseInput(CreateAlertRuleRequest, request.body, 'body');
    return reply.code(201).send(await rules.create(request.projectId, spec));
  });

  app.get('/v2/alerts/rules', schemaOf('get', '/v2/alerts/rules'), async (request) =>
    rules.list(request.projectId),
  );

  app.post('/v2/alerts/rules/preview', schemaOf('post', '/v2/alerts/rules/preview'), async (request) => {
    const body = parseInput(AlertPreviewRequest, request.body, 'body');
    return previewRule(clickhouse, request.projectId, body);
  });

  app.get('/v2/alerts/rules/:rule_id', schemaOf('get', '/v2/alerts/rules/:rule_id'), async (request) => {
    const { rule_id } = parseInput(AlertRuleParams, request.params, 'path');
    return rules.get(request.projectId, rule_id);
  });

  app.patch('/v2/alerts/rules/:rule_id', schemaOf('patch', '/v2/alerts/rules/:rule_id'), async (request) => {
    const { rule_id } = parseInput(AlertRuleParams, request.params, 'path');
    const changes = parseInput(UpdateAlertRuleRequest, request.body ?? {}, 'body');
    return rules.update(request.projectId, rule_id, changes);
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(
      `/v2/alerts/rules/:rule_id/${action}`,
      schemaOf('post', `/v2/alerts/rules/:rule_id/${action}`),
      async (request) => {
        const { rule_id } = parseInput(AlertRuleParams, request.params, 'path');
        return rules.update(request.projectId, rule_id, { enabled });
      },
    );
  }

  app.delete(
    '/v2/alerts/rules/:rule_id',
    schemaOf('delete', '/v2/alerts/rules/:rule_id'),
    async (request, reply) => {
      const { rule_id } = parseInput(AlertRuleParams, request.params, 'path');
      await rules.delete(request.projectId, rule_id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v2/alerts/rules/:rule_id/test',
    schemaOf('post', '/v2/alerts/rules/:rule_id/test'),
    async (request) => {
      const { rule_id } = parseInput(AlertRuleParams, request.params, 'path');
      const { rule, secret } = await rules.withSecret(request.projectId, rule_id);
      return sendTestNotification({
        projectId: request.projectId,
        rule,
        secret,
        logger: request.log as Logger,
        timeoutMs: testTimeoutMs ?? 5_000,
        now: now(),
      });
    },
  );

  app.get('/v2/alerts/events', schemaOf('get', '/v2/alerts/events'), async (request) => {
    const query = parseInput(AlertEventsQuery, request.query, 'query');
    return listEvents(clickhouse, request.projectId, query);
  });
};
