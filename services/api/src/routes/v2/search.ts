import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { ExportRequest, MetricAnalyticsRequest, parseInput, SearchRequest } from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import { metricAnalytics } from '../../search/analytics-service.js';
import { csvLine, spanCsvColumns, traceCsvColumns } from '../../search/export-format.js';
import type { SearchService } from '../../search/search-service.js';

const entities = ['spans', 'traces'] as const;

/** Our search API: span and trace search (cursor pages), streamed export, metric analytics. */
export const searchRoutes: FastifyPluginAsync<{
  search: SearchService;
  clickhouse: ClickHouseClient;
}> = async (app, { search, clickhouse }) => {
  app.post('/v2/search/spans', async (request) => {
    const req = parseInput(SearchRequest, request.body ?? {}, 'body');
    return search.searchSpans(request.projectId, req);
  });

  app.post('/v2/search/traces', async (request) => {
    const req = parseInput(SearchRequest, request.body ?? {}, 'body');
    return search.searchTraces(request.projectId, req);
  });

  for (const entity of entities) {
    app.post(`/v2/export/${entity}`, async (request, reply) => {
      const req = parseInput(ExportRequest, request.body ?? {}, 'body');
      const rows = search.export(entity, request.projectId, req.filter, req.limit);
      // Pull the first row before answering, so a failing query is a proper error, not a cut stream.
      const first = await rows.next();
      const columns = entity === 'spans' ? spanCsvColumns : traceCsvColumns;
      const format = (row: Parameters<typeof csvLine>[0]) =>
        req.format === 'csv' ? csvLine(row, columns) : `${JSON.stringify(row)}\n`;
      const lines = async function* () {
        if (req.format === 'csv') yield `${columns.join(',')}\r\n`;
        if (first.done) return;
        yield format(first.value);
        for await (const row of rows) yield format(row);
      };
      return reply
        .type(req.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="${entity}.${req.format}"`)
        .send(Readable.from(lines()));
    });
  }

  app.post('/v2/analytics/metrics', async (request) => {
    const req = parseInput(MetricAnalyticsRequest, request.body ?? {}, 'body');
    return metricAnalytics(clickhouse, request.projectId, req);
  });
};
