import {
  CreateDatasetEntryRequest,
  DatasetEntryParams,
  DatasetParams,
  parseInput,
  UpdateDatasetEntryRequest,
} from '@tracehouse/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { WriteService } from '../../domain/write-service.js';

/** The write side of Opper's dataset entries: create, update, delete (reads are in services/api). */
export const datasetEntryRoutes: FastifyPluginAsync<{ writes: WriteService }> = async (app, { writes }) => {
  app.post('/v2/datasets/:dataset_id', async (request) => {
    const { dataset_id } = parseInput(DatasetParams, request.params, 'path');
    const body = parseInput(CreateDatasetEntryRequest, request.body ?? {}, 'body');
    return writes.run(writes.datasets.planCreateEntry(request.projectId, dataset_id, body));
  });

  app.patch('/v2/datasets/:dataset_id/entries/:entry_id', async (request) => {
    const { dataset_id, entry_id } = parseInput(DatasetEntryParams, request.params, 'path');
    const body = parseInput(UpdateDatasetEntryRequest, request.body ?? {}, 'body');
    return writes.run(writes.datasets.planUpdateEntry(request.projectId, dataset_id, entry_id, body));
  });

  app.delete('/v2/datasets/:dataset_id/entries/:entry_id', async (request, reply) => {
    const { dataset_id, entry_id } = parseInput(DatasetEntryParams, request.params, 'path');
    await writes.run(writes.datasets.planDeleteEntry(request.projectId, dataset_id, entry_id));
    return reply.code(204).send();
  });
};
