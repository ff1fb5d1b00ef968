import { type Aggregation, aggregateExact, quantileOf } from '@tracehouse/shared';
import { DDSketch } from './sketch.js';

interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Exact values while the bucket is small; null once it moved to the sketch. */
  values: number[] | null;
  sketch: DDSketch | null;
  /** A few trace ids, for the event's sample. */
  traces: string[];
}

export interface WindowValue {
  value: number | null;
  count: number;
  traces: string[];
}

const samplePerBucket = 10;

/** Bucket width for a window: about 60 buckets, whole seconds, 1 s to 60 s. */
export const bucketMsFor = (windowSeconds: number): number =>
  Math.min(60, Math.max(1, Math.round(windowSeconds / 60))) * 1000;

/**
 * One rule's values by event time in fixed buckets, so a sliding window is a merge of whole buckets.
 * A window ending at `end` (a bucket boundary) covers the buckets in [end − window, end).
 */
export class RuleWindows {
  readonly bucketMs: number;
  readonly #exactMax: number;
  readonly #buckets = new Map<number, Bucket>();

  constructor(options: { bucketMs: number; exactMax: number }) {
    this.bucketMs = options.bucketMs;
    this.#exactMax = options.exactMax;
  }

  add(t: number, v: number, traceId: string): void {
    const start = Math.floor(t / this.bucketMs) * this.bucketMs;
    let b = this.#buckets.get(start);
    if (!b) {
      b = { count: 0, sum: 0, min: v, max: v, values: [], sketch: null, traces: [] };
      this.#buckets.set(start, b);
    }
    b.count++;
    b.sum += v;
    b.min = Math.min(b.min, v);
    b.max = Math.max(b.max, v);
    if (b.traces.length < samplePerBucket && !b.traces.includes(traceId)) b.traces.push(traceId);
    if (b.values) {
      b.values.push(v);
      if (b.values.length > this.#exactMax) {
        b.sketch = sketchOf(b.values);
        b.values = null;
      }
    } else b.sketch!.add(v);
  }

  /** Drops buckets that end before `t`: no window will cover them again. */
  prune(t: number): void {
    for (const start of this.#buckets.keys()) if (start + this.bucketMs <= t) this.#buckets.delete(start);
  }

  get bucketCount(): number {
    return this.#buckets.size;
  }

  aggregate(aggregation: Aggregation, from: number, to: number): WindowValue {
    const inWindow = [...this.#buckets.entries()]
      .filter(([start]) => start >= from && start < to)
      .sort(([a], [b]) => b - a)
      .map(([, b]) => b);
    const count = inWindow.reduce((n, b) => n + b.count, 0);
    const traces = [...new Set(inWindow.flatMap((b) => b.traces))].slice(0, 10);
    if (aggregation === 'count') return { value: count, count, traces };
    if (count === 0) return { value: null, count, traces };
    let value: number | null;
    switch (aggregation) {
      case 'sum':
        value = inWindow.reduce((s, b) => s + b.sum, 0);
        break;
      case 'avg':
        value = inWindow.reduce((s, b) => s + b.sum, 0) / count;
        break;
      case 'min':
        value = Math.min(...inWindow.map((b) => b.min));
        break;
      case 'max':
        value = Math.max(...inWindow.map((b) => b.max));
        break;
      default:
        value =
          count <= this.#exactMax && inWindow.every((b) => b.values)
            ? aggregateExact(
                inWindow.flatMap((b) => b.values!),
                aggregation,
              )
            : mergedSketch(inWindow).quantile(quantileOf[aggregation]);
    }
    return { value, count, traces };
  }
}

function sketchOf(values: number[]): DDSketch {
  const s = new DDSketch();
  for (const v of values) s.add(v);
  return s;
}

function mergedSketch(buckets: Bucket[]): DDSketch {
  const s = new DDSketch();
  for (const b of buckets) s.merge(b.sketch ?? sketchOf(b.values!));
  return s;
}
