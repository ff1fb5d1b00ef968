import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseAppError } from '../errors.js';

export interface Project {
  id: string;
  name: string;
}

export async function findProjectByName(
  client: ClickHouseClient,
  name: string,
): Promise<Project | undefined> {
  try {
    const rs = await client.query({
      query: `SELECT id, name FROM projects FINAL
              WHERE name = {name:String} AND deleted = 0 ORDER BY created_at LIMIT 1`,
      query_params: { name },
      format: 'JSONEachRow',
    });
    return (await rs.json<Project>())[0];
  } catch (err) {
    throw toClickHouseAppError(err, 'finding a project');
  }
}

/** The project with this name, created when missing. */
export async function ensureProject(client: ClickHouseClient, name: string): Promise<Project> {
  const existing = await findProjectByName(client, name);
  if (existing) return existing;
  const project = { id: randomUUID(), name };
  try {
    await client.insert({
      table: 'projects',
      values: [{ ...project, version: Date.now() }],
      format: 'JSONEachRow',
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'creating a project');
  }
  return project;
}
