import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { shutdownInOrder } from './shutdown.js';

const quiet = createLogger({
  name: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
});

describe('shutdownInOrder', () => {
  it('runs steps in order and keeps going after a failure', async () => {
    const ran: string[] = [];
    const clean = await shutdownInOrder(
      [
        { name: 'stop intake', run: async () => void ran.push('intake') },
        {
          name: 'flush',
          run: async () => {
            ran.push('flush');
            throw new Error('insert failed');
          },
        },
        { name: 'close', run: async () => void ran.push('close') },
      ],
      quiet,
    );
    expect(ran).toEqual(['intake', 'flush', 'close']);
    expect(clean).toBe(false);
  });

  it('reports a clean run', async () => {
    expect(await shutdownInOrder([{ name: 'a', run: async () => {} }], quiet)).toBe(true);
  });
});
