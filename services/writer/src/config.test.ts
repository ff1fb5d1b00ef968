import { describe, expect, it } from 'vitest';
import { loadWriterConfig } from './config.js';

describe('loadWriterConfig', () => {
  it('batches around 10,000 records / 128 MiB / 300 ms by default', () => {
    const cfg = loadWriterConfig({});
    expect([cfg.BATCH_MAX_ROWS, cfg.BATCH_MAX_BYTES, cfg.BATCH_MAX_DELAY_MS]).toEqual([
      10_000,
      128 * 1024 * 1024,
      300,
    ]);
  });

  it('rejects a retry ceiling below the floor, naming it', () => {
    expect(() => loadWriterConfig({ RETRY_MIN_MS: '500', RETRY_MAX_MS: '100' })).toThrow(/RETRY_MAX_MS/);
  });

  it('rejects a batch of zero rows', () => {
    expect(() => loadWriterConfig({ BATCH_MAX_ROWS: '0' })).toThrow(/BATCH_MAX_ROWS/);
  });
});
