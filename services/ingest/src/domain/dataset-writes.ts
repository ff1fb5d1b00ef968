import { randomUUID } from 'node:crypto';
import {
  AppError,
  type CreateDatasetEntryRequest,
  type DatasetEntryDeleteEvent,
  type DatasetEntryFields,
  type DatasetEntryPatchEvent,
  type DatasetEntryUpsertEvent,
  type DatasetEntryView,
  type DatasetIndexEntry,
  ErrorCodes,
  type IndexEntry,
  type TopicNames,
} from '@tracehouse/shared';
import type { OutRecord } from './produce-batcher.js';
import { jsonText, sizedText, type WriteContext } from './span-writes.js';
import type { Plan } from './write-plans.js';

const plan = <T>(records: OutRecord[], entries: IndexEntry[], result: T): Plan<T> => ({
  records,
  entries,
  result,
});

/** A dataset entry field from a request: strings as they are, other JSON as its text, null as null. */
function entryText(value: unknown, field: string, maxBytes: number): string | null | undefined {
  if (value === undefined || value === null) return value;
  return typeof value === 'string' ? sizedText(value, field, maxBytes) : jsonText(value, field, maxBytes);
}

/** The index entry of a dataset write: readers wait for the writer to store it (read-your-writes). */
export function datasetIndexEntry(ctx: WriteContext, datasetId: string, name: string): DatasetIndexEntry {
  return {
    v: 1,
    kind: 'dataset',
    project_id: ctx.projectId,
    dataset_id: datasetId,
    name,
    version: ctx.version,
  };
}

/** A new entry's event, its Kafka record (keyed by dataset) and its index entry. */
export function entryUpsert(
  topics: TopicNames,
  ctx: WriteContext,
  entry: { datasetId: string; name: string; spanId: string | null; fields: DatasetEntryFields },
): { event: DatasetEntryUpsertEvent; record: OutRecord; entry: DatasetIndexEntry } {
  const event: DatasetEntryUpsertEvent = {
    v: 1,
    kind: 'dataset.entry.upsert',
    version: ctx.version,
    project_id: ctx.projectId,
    dataset_id: entry.datasetId,
    id: randomUUID(),
    received_at: ctx.receivedAt,
    created_at: ctx.receivedAt,
    dataset_name: entry.name,
    span_id: entry.spanId,
    fields: entry.fields,
  };
  return {
    event,
    record: { topic: topics.datasets, key: entry.datasetId, value: JSON.stringify(event) },
    entry: datasetIndexEntry(ctx, entry.datasetId, entry.name),
  };
}

export interface DatasetWritesDeps {
  topics: TopicNames;
  context: (projectId: string) => WriteContext;
  /** A dataset's name (recently written or stored); undefined when it does not exist. */
  findDatasetName: (projectId: string, datasetId: string) => Promise<string | undefined>;
  /** The stored entry, for update responses (after waiting for acknowledged writes to it). */
  findDatasetEntry: (
    projectId: string,
    datasetId: string,
    entryId: string,
  ) => Promise<DatasetEntryView | undefined>;
  ioMaxBytes: number;
}

/** Writes to dataset entries, as events on the datasets topic (keyed by dataset, so in order). */
export class DatasetWrites {
  constructor(private readonly deps: DatasetWritesDeps) {}

  async #name(projectId: string, datasetId: string): Promise<string> {
    const name = await this.deps.findDatasetName(projectId, datasetId);
    if (name === undefined) throw new AppError(ErrorCodes.NOT_FOUND, 'Dataset not found');
    return name;
  }

  #entryFields(req: CreateDatasetEntryRequest): DatasetEntryPatchEvent['fields'] {
    const max = this.deps.ioMaxBytes;
    const fields: DatasetEntryPatchEvent['fields'] = {};
    for (const key of ['input', 'output', 'expected'] as const) {
      const text = entryText(req[key], key, max);
      if (text !== undefined) fields[key] = text;
    }
    if (req.comment !== undefined) fields.comment = req.comment;
    return fields;
  }

  /** `POST /v2/datasets/{dataset_id}`: a new entry in an existing dataset. */
  async planCreateEntry(
    projectId: string,
    datasetId: string,
    req: CreateDatasetEntryRequest,
  ): Promise<Plan<DatasetEntryView>> {
    const name = await this.#name(projectId, datasetId);
    const ctx = this.deps.context(projectId);
    const given = this.#entryFields(req);
    const fields = {
      input: given.input ?? null,
      output: given.output ?? null,
      expected: given.expected ?? null,
      comment: given.comment ?? null,
    };
    const { event, record, entry } = entryUpsert(this.deps.topics, ctx, {
      datasetId,
      name,
      spanId: null,
      fields,
    });
    return plan([record], [entry], {
      id: event.id,
      dataset_id: datasetId,
      span_id: null,
      created_at: ctx.receivedAt,
      ...fields,
      input: fields.input ?? '',
      output: fields.output ?? '',
    });
  }

  async planUpdateEntry(
    projectId: string,
    datasetId: string,
    entryId: string,
    req: CreateDatasetEntryRequest,
  ): Promise<Plan<DatasetEntryView>> {
    const name = await this.#name(projectId, datasetId);
    const current = await this.deps.findDatasetEntry(projectId, datasetId, entryId);
    if (!current) throw new AppError(ErrorCodes.NOT_FOUND, 'Dataset entry not found');
    const ctx = this.deps.context(projectId);
    const fields = this.#entryFields(req);
    const event: DatasetEntryPatchEvent = {
      v: 1,
      kind: 'dataset.entry.patch',
      version: ctx.version,
      project_id: projectId,
      dataset_id: datasetId,
      id: entryId,
      received_at: ctx.receivedAt,
      fields,
    };
    return plan(
      [{ topic: this.deps.topics.datasets, key: datasetId, value: JSON.stringify(event) }],
      [datasetIndexEntry(ctx, datasetId, name)],
      {
        ...current,
        ...fields,
        input: fields.input ?? current.input,
        output: fields.output ?? current.output,
      },
    );
  }

  async planDeleteEntry(projectId: string, datasetId: string, entryId: string): Promise<Plan<undefined>> {
    const name = await this.#name(projectId, datasetId);
    const ctx = this.deps.context(projectId);
    const event: DatasetEntryDeleteEvent = {
      v: 1,
      kind: 'dataset.entry.delete',
      version: ctx.version,
      project_id: projectId,
      dataset_id: datasetId,
      id: entryId,
      received_at: ctx.receivedAt,
    };
    return plan(
      [{ topic: this.deps.topics.datasets, key: datasetId, value: JSON.stringify(event) }],
      [datasetIndexEntry(ctx, datasetId, name)],
      undefined,
    );
  }
}
