import { TraceSearchPage } from '@tracehouse/shared';
import { tracePreviewChars } from '@tracehouse/shared/node';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestClient, injectClient } from '../write-path/helpers.js';

/**
 * Trace search reads its pages from `trace_index` alone (migration 0012): previews of the root's input
 * and output cut by ClickHouse, the same way the API cuts a summary's, and rows an earlier version
 * left there shown only as their summary.
 */
describe('trace search pages from the index', () => {
  let stack: Stack;
  let api: IngestClient;
  const window = { from: '2025-05-01T00:00:00Z', to: '2025-05-02T00:00:00Z' };

  beforeAll(async () => {
    stack = await Stack.create();
    api = injectClient((await stack.startIngest()).app, stack.apiKey);
    await stack.startWriter();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const search = async (suite: string) => {
    const res = await api.request('POST', '/v2/search/traces', { filter: { ...window, tags: { suite } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return TraceSearchPage.parse(res.body).data;
  };
  const cut = (text: string) => Array.from(text).slice(0, tracePreviewChars).join('');

  it('shows the first characters of input and output, flagged when cut; the trace itself has them whole', async () => {
    // Emoji are two UTF-16 units each: previews count characters, as `substringUTF8` does.
    const input = `${'😀'.repeat(200)}${'é'.repeat(100)} and the rest`;
    const output = { answer: 'x'.repeat(400), sources: ['a', 'b'] };
    const root = await api.request('POST', '/v2/spans', {
      name: 'long-root',
      start_time: '2025-05-01T10:00:00Z',
      end_time: '2025-05-01T10:00:02Z',
      input,
      output,
      tags: { suite: 'previews' },
    });
    const short = await api.request('POST', '/v2/spans', {
      name: 'short-root',
      start_time: '2025-05-01T09:00:00Z',
      input: 'hi',
      tags: { suite: 'previews' },
    });
    const found = await stack.eventually(
      () => search('previews'),
      (d) => d.length === 2,
    );
    const whole = (await api.request('GET', `/v2/traces/${root.body.trace_id}`)).body;
    expect(whole.input).toBe(input);
    expect(found[0]).toEqual({
      ...Object.fromEntries(Object.entries(whole).filter(([k]) => k !== 'spans')),
      input: cut(input),
      output: cut(JSON.stringify(output)),
      input_truncated: true,
      output_truncated: true,
    });
    expect(found[1]).toMatchObject({
      id: short.body.trace_id,
      input: 'hi',
      output: null,
      input_truncated: false,
      output_truncated: false,
    });
  });

  it('shows a row an earlier version left as its summary, and passes over one at a start its trace left', async () => {
    const root = await api.request('POST', '/v2/spans', {
      name: 'legacy-root',
      start_time: '2025-05-01T12:00:05Z',
      input: 'legacy input',
      tags: { suite: 'legacy' },
    });
    const traceId = root.body.trace_id;
    const [listed] = await stack.eventually(
      () => search('legacy'),
      (d) => d.length === 1,
    );
    expect(listed).toMatchObject({ id: traceId, span_count: 1, input: 'legacy input' });
    // What migration 0012 leaves from before it: rows without the list columns (`complete = 0`), one
    // newer than the summary at its start, one at a start the trace no longer has.
    const legacy = (start: string) => ({
      project_id: stack.projectId,
      start_time: start,
      trace_id: traceId,
      name: 'legacy-root',
      status: 'unset',
      duration_ms: null,
      tags: { suite: 'legacy' },
      version: Number.MAX_SAFE_INTEGER,
      deleted: 0,
    });
    await stack.clickhouse.insert({
      table: 'trace_index',
      format: 'JSONEachRow',
      values: [legacy('2025-05-01 12:00:05.000000'), legacy('2025-05-01 11:00:00.000000')],
    });
    expect(await search('legacy')).toEqual([listed]);
  });
});
