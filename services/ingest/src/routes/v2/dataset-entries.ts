import {
  CreateDatasetEntryRequest,
  DatasetEntryParams,
  DatasetEntryView,
  DatasetParams,
  UpdateDatasetEntryRequest,
} from '@tracehouse/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WriteService } from '../../domain/write-service.js';
import { NoContent } from './schemas.js';

const tags = ['Datasets'];

/** The write side of Opper's dataset entries: create, update, delete (reads are in services/api). */
export const datasetEntryRoutes: FastifyPluginAsyncZod<{ writes: WriteService }> = async (
  app,
  { writes },
) => {
  app.post(
    '/v2/datasets/:dataset_id',
    {
      schema: {
        tags,
        summary: 'Add an entry',
        params: DatasetParams,
        body: CreateDatasetEntryRequest,
        response: { 200: DatasetEntryView },
      },
    },
    async (request) =>
      writes.run(writes.datasets.planCreateEntry(request.projectId, request.params.dataset_id, request.body)),
  );

  app.patch(
    '/v2/datasets/:dataset_id/entries/:entry_id',
    {
      schema: {
        tags,
        summary: 'Update an entry',
        params: DatasetEntryParams,
        body: UpdateDatasetEntryRequest,
        response: { 200: DatasetEntryView },
      },
    },
    async (request) => {
      const { dataset_id, entry_id } = request.params;
      return writes.run(
        writes.datasets.planUpdateEntry(request.projectId, dataset_id, entry_id, request.body),
      );
    },
  );

  app.delete(
    '/v2/datasets/:dataset_id/entries/:entry_id',
    {
      schema: { tags, summary: 'Delete an entry', params: DatasetEntryParams, response: { 204: NoContent } },
    },
    async (request, reply) => {
      const { dataset_id, entry_id } = request.params;
      await writes.run(writes.datasets.planDeleteEntry(request.projectId, dataset_id, entry_id));
      return reply.code(204).send(null);
    },
  );
};
