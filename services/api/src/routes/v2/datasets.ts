import { Readable } from 'node:stream';
import {
  CreateDatasetRequest,
  DatasetEntryParams,
  DatasetEntryQuery,
  DatasetEntryView,
  DatasetListQuery,
  DatasetParams,
  DatasetView,
  listOf,
  PageQuery,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReadSide } from '../../read-side.js';

const tags = ['Datasets'];

/**
 * Dataset reads: Opper's entry reads (`entries`, `entries/{id}`, `entries/query`), and our datasets
 * by name (list, create, get, export as JSONL). Entry writes go through ingest like every write.
 */
export const datasetReadRoutes: FastifyPluginAsyncZod<Pick<ReadSide, 'reads' | 'datasetEntries'>> = async (
  app,
  { reads, datasetEntries },
) => {
  app.get(
    '/v2/datasets/:dataset_id/entries',
    {
      schema: {
        tags,
        summary: "A dataset's entries",
        params: DatasetParams,
        querystring: PageQuery,
        response: { 200: listOf(DatasetEntryView) },
      },
    },
    async (request) => reads.listDatasetEntries(request.projectId, request.params.dataset_id, request.query),
  );

  app.get(
    '/v2/datasets/:dataset_id/entries/:entry_id',
    {
      schema: {
        tags,
        summary: 'Get an entry',
        params: DatasetEntryParams,
        response: { 200: DatasetEntryView },
      },
    },
    async (request) => {
      const { dataset_id, entry_id } = request.params;
      return reads.getDatasetEntry(request.projectId, dataset_id, entry_id);
    },
  );

  // Opper's contract: a bare array, not a wrapped list.
  app.post(
    '/v2/datasets/:dataset_id/entries/query',
    {
      schema: {
        tags,
        summary: 'Entries containing a text (a bare array)',
        params: DatasetParams,
        querystring: DatasetEntryQuery,
        response: { 200: z.array(DatasetEntryView) },
      },
    },
    async (request) => reads.queryDatasetEntries(request.projectId, request.params.dataset_id, request.query),
  );

  app.get(
    '/v2/datasets',
    {
      schema: {
        tags,
        summary: 'List datasets (optionally one name)',
        querystring: DatasetListQuery,
        response: { 200: listOf(DatasetView) },
      },
    },
    async (request) => reads.listDatasets(request.projectId, request.query),
  );

  app.post(
    '/v2/datasets',
    {
      schema: {
        tags,
        summary: 'Create a dataset by name (idempotent)',
        body: CreateDatasetRequest,
        response: { 201: DatasetView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await reads.createDataset(request.projectId, request.body.name)),
  );

  app.get(
    '/v2/datasets/:dataset_id',
    { schema: { tags, summary: 'Get a dataset', params: DatasetParams, response: { 200: DatasetView } } },
    async (request) => reads.getDataset(request.projectId, request.params.dataset_id),
  );

  app.get(
    '/v2/datasets/:dataset_id/export',
    {
      schema: {
        tags,
        summary: 'Export every entry as JSONL',
        params: DatasetParams,
        produces: ['application/x-ndjson'],
        response: { 200: z.any().describe('One entry per line (JSONL), streamed') },
      },
    },
    async (request, reply) => {
      const { dataset_id } = request.params;
      const dataset = await reads.getDataset(request.projectId, dataset_id);
      const lines = async function* () {
        for await (const entry of datasetEntries(request.projectId, dataset_id)) {
          yield `${JSON.stringify(entry)}\n`;
        }
      };
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="${encodeURIComponent(dataset.name)}.jsonl"`)
        .send(Readable.from(lines()));
    },
  );
};
