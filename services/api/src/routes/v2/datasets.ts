import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  CreateDatasetRequest,
  DatasetEntryParams,
  DatasetEntryQuery,
  DatasetListQuery,
  DatasetParams,
  PageQuery,
  parseInput,
} from '@tracehouse/shared';
import { streamDatasetEntries } from '@tracehouse/shared/node';
import type { FastifyPluginAsync } from 'fastify';
import type { ReadService } from '../../domain/read-service.js';

/**
 * Dataset reads: Opper's entry reads (`entries`, `entries/{id}`, `entries/query`), and our datasets
 * by name (list, create, get, export as JSONL). Entry writes go through ingest like every write.
 */
export const datasetReadRoutes: FastifyPluginAsync<{
  reads: ReadService;
  clickhouse: ClickHouseClient;
}> = async (app, { reads, clickhouse }) => {
  app.get('/v2/datasets/:dataset_id/entries', async (request) => {
    const { dataset_id } = parseInput(DatasetParams, request.params, 'path');
    const page = parseInput(PageQuery, request.query, 'query');
    return reads.listDatasetEntries(request.projectId, dataset_id, page);
  });

  app.get('/v2/datasets/:dataset_id/entries/:entry_id', async (request) => {
    const { dataset_id, entry_id } = parseInput(DatasetEntryParams, request.params, 'path');
    return reads.getDatasetEntry(request.projectId, dataset_id, entry_id);
  });

  // Opper's contract: a bare array, not a wrapped list.
  app.post('/v2/datasets/:dataset_id/entries/query', async (request) => {
    const { dataset_id } = parseInput(DatasetParams, request.params, 'path');
    const query = parseInput(DatasetEntryQuery, request.query, 'query');
    return reads.queryDatasetEntries(request.projectId, dataset_id, query);
  });

  app.get('/v2/datasets', async (request) => {
    const query = parseInput(DatasetListQuery, request.query, 'query');
    return reads.listDatasets(request.projectId, query);
  });

  app.post('/v2/datasets', async (request, reply) => {
    const { name } = parseInput(CreateDatasetRequest, request.body, 'body');
    return reply.code(201).send(await reads.createDataset(request.projectId, name));
  });

  app.get('/v2/datasets/:dataset_id', async (request) => {
    const { dataset_id } = parseInput(DatasetParams, request.params, 'path');
    return reads.getDataset(request.projectId, dataset_id);
  });

  app.get('/v2/datasets/:dataset_id/export', async (request, reply) => {
    const { dataset_id } = parseInput(DatasetParams, request.params, 'path');
    const dataset = await reads.getDataset(request.projectId, dataset_id);
    const lines = async function* () {
      for await (const entry of streamDatasetEntries(clickhouse, request.projectId, dataset_id)) {
        yield `${JSON.stringify(entry)}\n`;
      }
    };
    return reply
      .type('application/x-ndjson')
      .header('content-disposition', `attachment; filename="${encodeURIComponent(dataset.name)}.jsonl"`)
      .send(Readable.from(lines()));
  });
};
