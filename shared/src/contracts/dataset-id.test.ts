import { describe, expect, it } from 'vitest';
import { datasetIdFor } from './dataset-id.js';

describe('datasetIdFor', () => {
  it('is a stable version-5 UUID per project and name', async () => {
    const p = '00000000-0000-4000-8000-000000000001';
    const a = await datasetIdFor(p, 'golden');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await datasetIdFor(p, 'golden')).toBe(a);
    expect(await datasetIdFor(p, 'other')).not.toBe(a);
    expect(await datasetIdFor('00000000-0000-4000-8000-000000000002', 'golden')).not.toBe(a);
  });
});
