import { randomUUID } from 'node:crypto';
import { insertSpans } from '@tracehouse/shared/node';
import { migratedDatabase } from '@tracehouse/test-support/clients';
import { storedSpanRow } from '@tracehouse/test-support/rows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTracesWithin } from '../../services/writer/src/bounded-loads.js';

/** The writer reads stored traces within a byte bound, on the real engine (max_result_bytes). */
describe('writer loads bounded in bytes', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  const projectId = randomUUID();
  const traceId = randomUUID();
  beforeAll(async () => {
    db = await migratedDatabase();
    await insertSpans(db.client, [
      storedSpanRow(
        { project: projectId, trace: traceId, span: randomUUID() },
        { name: 'big', input: JSON.stringify('x'.repeat(2 * 1024 * 1024)) },
      ),
    ]);
  });
  afterAll(() => db?.drop());

  it('reads a trace within the bound, and refuses past it with TH_BATCH_TOO_LARGE', async () => {
    const traces = [{ projectId, traceId }];
    const loaded = await loadTracesWithin(db.client, traces, 64 * 1024 * 1024);
    expect(loaded.spans.map((s) => s.name)).toEqual(['big']);
    await expect(loadTracesWithin(db.client, traces, 1024 * 1024)).rejects.toMatchObject({
      code: 'TH_BATCH_TOO_LARGE',
    });
  });
});
