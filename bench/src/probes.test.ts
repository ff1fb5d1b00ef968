import { describe, expect, it } from 'vitest';
import { percentile, visibilitySummary } from './probes.js';

describe('visibilitySummary', () => {
  // A slow start (lags of 2 s in the first second) and a steady second half.
  const seen = [
    { ackedAt: 1_000, lagMs: 2_000 },
    { ackedAt: 1_500, lagMs: 1_800 },
    { ackedAt: 2_000, lagMs: 400 },
    { ackedAt: 2_500, lagMs: 500 },
    { ackedAt: 3_000, lagMs: 600 },
  ];

  it('leaves out what was acknowledged within the warm-up after the first acknowledgement', () => {
    const v = visibilitySummary(seen, 1_000);
    expect(v).toMatchObject({ warmupMs: 1_000, samples: 3, p50: 500, p99: 600 });
    expect(v.wholeRun).toEqual({ samples: 5, p50: 600, p99: 2_000 });
  });

  it('keeps every sample with no warm-up', () => {
    expect(visibilitySummary(seen, 0)).toMatchObject({ samples: 5, p99: 2_000 });
  });

  it('reports no figure rather than a wrong one when the warm-up outlasts the run', () => {
    expect(visibilitySummary(seen, 10_000)).toMatchObject({ samples: 0, p99: Number.NaN });
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 0.99)).toBe(5);
  });
});
