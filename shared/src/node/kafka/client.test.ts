import { KafkaJSNonRetriableError, KafkaJSProtocolError, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { pinoLogCreator, withKafkaRetries } from './client.js';

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

describe('pinoLogCreator', () => {
  it('logs what a settling broker answers at debug, and everything else at its own level', () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const log = pinoLogCreator(logger)!(logLevel.WARN);
    const entry = (message: string, error?: string) => ({
      namespace: 'Connection',
      label: 'ERROR',
      log: { message, timestamp: '', logger: 'kafkajs', ...(error ? { error } : {}) },
    });
    log({
      ...entry('Response JoinGroup', "The coordinator is loading and hence can't process requests"),
      level: logLevel.ERROR,
    });
    log({ ...entry('Connection error: connect ECONNREFUSED'), level: logLevel.ERROR });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [20, 'Response JoinGroup'],
      [50, 'Connection error: connect ECONNREFUSED'],
    ]);
  });
});
