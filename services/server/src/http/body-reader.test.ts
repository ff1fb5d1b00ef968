import { PassThrough } from 'node:stream';
import { ReusedBuffers } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { BodyReader } from './body-reader.js';

const stream = (...chunks: string[]) => {
  const s = new PassThrough();
  for (const c of chunks) s.write(c);
  s.end();
  return s;
};

describe('BodyReader', () => {
  const buffers = new ReusedBuffers(16, 1 << 20);
  const reader = new BodyReader(buffers);

  it('reads a body with a length into a reused buffer, and one without by joining its chunks', async () => {
    const first = await reader.read(stream('{"a":', '"some text"}'), { limit: 100, contentLength: '17' });
    expect(first.toString()).toBe('{"a":"some text"}');
    expect(buffers.lent(first)).toBe(true);
    reader.giveBack(first);
    const second = await reader.read(stream('{"b":', '"other text"}'), { limit: 100, contentLength: '18' });
    expect(second.toString()).toBe('{"b":"other text"}');
    expect(second.buffer).toBe(first.buffer);
    const chunked = await reader.read(stream('[1,', '2]'), { limit: 100, contentLength: undefined });
    expect(chunked.toString()).toBe('[1,2]');
    expect(buffers.lent(chunked)).toBe(false);
  });

  it("refuses what fastify's reader refuses, with its errors", async () => {
    const tooLarge = { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 };
    const badLength = { code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 };
    await expect(reader.read(stream('x'), { limit: 10, contentLength: '11' })).rejects.toMatchObject(
      tooLarge,
    );
    await expect(
      reader.read(stream('x'.repeat(30)), { limit: 20, contentLength: undefined }),
    ).rejects.toMatchObject(tooLarge);
    await expect(
      reader.read(stream('x'.repeat(30)), { limit: 100, contentLength: '20' }),
    ).rejects.toMatchObject(badLength);
    await expect(
      reader.read(stream('x'.repeat(10)), { limit: 100, contentLength: '20' }),
    ).rejects.toMatchObject(badLength);
    const broken = new PassThrough();
    const read = reader.read(broken, { limit: 100, contentLength: '40' });
    broken.destroy(new Error('connection reset'));
    await expect(read).rejects.toMatchObject({ message: 'connection reset', statusCode: 400 });
  });
});
