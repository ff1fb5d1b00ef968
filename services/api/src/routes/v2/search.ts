import { Readable } from 'node:stream';
import {
  ExportRequest,
  MetricAnalyticsRequest,
  MetricAnalyticsResponse,
  SearchRequest,
  SpanSearchPage,
  TraceSearchPage,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReadSide } from '../../read-side.js';
import { csvLine, spanCsvColumns, traceCsvColumns } from '../../search/export-format.js';

const entities = ['spans', 'traces'] as const;

/** Our search API: span and trace search (cursor pages), streamed export, metric analytics. */
export const searchRoutes: FastifyPluginAsyncZod<Pick<ReadSide, 'search' | 'analytics'>> = async (
  app,
  { search, analytics },
) => {
  app.post(
    '/v2/search/spans',
    {
      schema: {
        tags: ['Search'],
        summary: 'Search spans; cursor pages, bounded in rows and bytes',
        body: SearchRequest,
        response: { 200: SpanSearchPage },
      },
    },
    async (request) => search.searchSpans(request.projectId, request.body),
  );

  app.post(
    '/v2/search/traces',
    {
      schema: {
        tags: ['Search'],
        summary: 'Search traces; cursor pages, bounded in rows and bytes',
        body: SearchRequest,
        response: { 200: TraceSearchPage },
      },
    },
    async (request) => search.searchTraces(request.projectId, request.body),
  );

  for (const entity of entities) {
    const schema = {
      tags: ['Search'],
      summary: `Stream every ${entity === 'spans' ? 'span' : 'trace'} a filter matches, as JSONL or CSV`,
      body: ExportRequest,
      produces: ['application/x-ndjson', 'text/csv'],
      response: { 200: z.any().describe('One row per line (JSONL or CSV), streamed') },
    };
    app.post(`/v2/export/${entity}`, { schema }, async (request, reply) => {
      const req = request.body;
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

  app.post(
    '/v2/analytics/metrics',
    {
      schema: {
        tags: ['Search'],
        summary:
          'A metric dimension per time bucket (count, avg, min, max, sum, p50…p99); bounded window and buckets',
        body: MetricAnalyticsRequest,
        response: { 200: MetricAnalyticsResponse },
      },
    },
    async (request) => analytics(request.projectId, request.body),
  );
};
