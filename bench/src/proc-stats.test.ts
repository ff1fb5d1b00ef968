import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ThreadCpu } from './proc-stats.js';

describe.runIf(process.platform === 'linux')('ThreadCpu', () => {
  it('gives CPU spent after it was made to the thread that spent it, by name', () => {
    const threads = new ThreadCpu(process.pid);
    // This thread's own name, as /proc gives it (digits at the end dropped, as ThreadCpu does).
    const name = readFileSync(`/proc/${process.pid}/task/${process.pid}/comm`, 'utf8')
      .trim()
      .replace(/\d+$/, '');
    const before = process.cpuUsage();
    let spun = 0;
    while (process.cpuUsage(before).user < 300_000) spun++;
    threads.sample();

    const seconds = new Map(threads.seconds());
    expect(spun).toBeGreaterThan(0);
    // /proc counts in ticks of 10 ms; 0.3 s spun on this thread, less a tick or two of rounding.
    expect(seconds.get(name)).toBeGreaterThanOrEqual(0.25);
    const all = threads.seconds().map(([, s]) => s);
    expect(all).toEqual([...all].sort((a, b) => b - a));
  });

  it('counts nothing spent before it was made', () => {
    const before = process.cpuUsage();
    while (process.cpuUsage(before).user < 100_000);
    const threads = new ThreadCpu(process.pid);
    threads.sample();
    const total = threads.seconds().reduce((sum, [, s]) => sum + s, 0);
    expect(total).toBeLessThan(0.05);
  });
});
