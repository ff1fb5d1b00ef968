import type { ClickHouseClient } from '@clickhouse/client';
import { Limits, parseInput, RequestTimestamp } from '@tracehouse/shared';
import { toClickHouseAppError } from '@tracehouse/shared/node';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { SqlParams } from '../../search/sql-params.js';
import { chTime, resolveWindow } from '../../search/window.js';

/**
 * Tag suggestions for the dashboard's filter chips: the tag keys, and one key's values, that live spans
 * of the caller's project carry in a time window (default the last 24 hours, like search), most used
 * first. Bounded by the window and `limit`; every value reaches ClickHouse as a query parameter.
 */
const window = {
  from: RequestTimestamp.optional(),
  to: RequestTimestamp.optional(),
  /** Only keys / values starting with this text (what the user has typed so far). */
  prefix: z.string().max(Limits.tagValueMaxChars).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};
export const TagKeysQuery = z.object(window).strict();
export const TagValuesQuery = z
  .object({ ...window, key: z.string().min(1).max(Limits.tagKeyMaxChars) })
  .strict();
export const TagKeysResponse = z.object({
  data: z.array(z.object({ key: z.string(), spans: z.number().int() })),
});
export const TagValuesResponse = z.object({
  key: z.string(),
  data: z.array(z.object({ value: z.string(), spans: z.number().int() })),
});

/** `project_id = … AND live AND start in window`, the same scope as span search. */
function scope(projectId: string, query: { from?: string; to?: string }, p: SqlParams): string[] {
  const w = resolveWindow(query, new Date());
  return [
    `project_id = ${p.add(projectId, 'UUID')}`,
    `name != ''`,
    `start_time >= ${p.add(chTime(w.from), "DateTime64(6, 'UTC')")}`,
    `start_time < ${p.add(chTime(w.to), "DateTime64(6, 'UTC')")}`,
  ];
}

async function rows<T>(
  clickhouse: ClickHouseClient,
  query: string,
  p: SqlParams,
  what: string,
): Promise<T[]> {
  try {
    const rs = await clickhouse.query({ query, query_params: p.values, format: 'JSONEachRow' });
    return await rs.json<T>();
  } catch (err) {
    throw toClickHouseAppError(err, what);
  }
}

export const tagSuggestionRoutes: FastifyPluginAsync<{ clickhouse: ClickHouseClient }> = async (
  app,
  { clickhouse },
) => {
  app.get(
    '/v2/tags/keys',
    {
      schema: {
        tags: ['Search'],
        summary: 'Tag keys on spans in a window, most used first (filter suggestions)',
        querystring: TagKeysQuery,
        response: { 200: TagKeysResponse },
      },
    },
    async (request) => {
      const q = parseInput(TagKeysQuery, request.query, 'query');
      const p = new SqlParams();
      const where = scope(request.projectId, q, p);
      const query = `SELECT key, count() AS spans FROM spans_v2 FINAL ARRAY JOIN mapKeys(tags) AS key
      WHERE ${where.join(' AND ')} AND startsWith(key, ${p.add(q.prefix, 'String')})
      GROUP BY key ORDER BY spans DESC, key LIMIT ${p.add(q.limit, 'UInt32')}`;
      const found = await rows<{ key: string; spans: string }>(clickhouse, query, p, 'listing tag keys');
      return { data: found.map((r) => ({ key: r.key, spans: Number(r.spans) })) };
    },
  );

  app.get(
    '/v2/tags/values',
    {
      schema: {
        tags: ['Search'],
        summary: "One tag key's values on spans in a window, most used first",
        querystring: TagValuesQuery,
        response: { 200: TagValuesResponse },
      },
    },
    async (request) => {
      const q = parseInput(TagValuesQuery, request.query, 'query');
      const p = new SqlParams();
      const where = scope(request.projectId, q, p);
      const key = p.add(q.key, 'String');
      const query = `SELECT tags[${key}] AS value, count() AS spans FROM spans_v2 FINAL
      WHERE ${where.join(' AND ')} AND mapContains(tags, ${key}) AND startsWith(value, ${p.add(q.prefix, 'String')})
      GROUP BY value ORDER BY spans DESC, value LIMIT ${p.add(q.limit, 'UInt32')}`;
      const found = await rows<{ value: string; spans: string }>(clickhouse, query, p, 'listing tag values');
      return { key: q.key, data: found.map((r) => ({ value: r.value, spans: Number(r.spans) })) };
    },
  );
};
