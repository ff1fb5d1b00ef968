import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { withKafkaRetries } from './client.js';

const notLeader = () =>
  new KafkaJSProtocolError(
    Object.assign(new Error('This server is not the leader for that topic-partition'), {
      retriable: true,
      type: 'NOT_LEADER_FOR_PARTITION',
      code: 6,
    }),
  );

describe('withKafkaRetries', () => {
  it('retries what kafkajs marks retriable until it succeeds', async () => {
    let calls = 0;
    const result = await withKafkaRetries(
      'listing offsets',
      async () => {
        if (++calls < 3) throw notLeader();
        return 'ok';
      },
      { delayMs: 1 },
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('gives up at once on a non-retriable error, and after the last attempt otherwise', async () => {
    let calls = 0;
    await expect(
      withKafkaRetries('x', async () => {
        calls++;
        throw new KafkaJSNonRetriableError('bad');
      }),
    ).rejects.toMatchObject({ code: 'TH_KAFKA' });
    expect(calls).toBe(1);
    await expect(
      withKafkaRetries(
        'x',
        async () => {
          throw notLeader();
        },
        { attempts: 2, delayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: 'TH_KAFKA', retryable: true });
  });
});
