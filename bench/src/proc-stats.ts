import { readdirSync, readFileSync } from 'node:fs';

/** utime + stime of a /proc `stat` line, in ticks (the fields after the parenthesised name). */
function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds (user + system) and memory of a process, from /proc (Linux). */
export function procSample(
  pid: number,
): { cpuSeconds: number; rssBytes: number; peakBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = cpuTicks(stat);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: ticks / 100, rssBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process per thread name (trailing digits dropped: `MergeMutate`, `QueryPipelineEx`),
 * from /proc/<pid>/task. A pool thread takes the name of each task it runs, so the names are read at
 * every sample and each thread's CPU since the last one goes to its name now: an attribution as fine
 * as the sampling period. A thread that started and ended between two samples is not seen.
 */
export class ThreadCpu {
  readonly #ticks = new Map<string, number>();
  readonly #byName = new Map<string, number>();

  constructor(private readonly pid: number) {
    this.sample(false);
  }

  sample(count = true): void {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${this.pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${this.pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // ended since the listing
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
      const ticks = cpuTicks(stat);
      const used = ticks - (this.#ticks.get(tid) ?? 0);
      this.#ticks.set(tid, ticks);
      if (count && used > 0) this.#byName.set(name, (this.#byName.get(name) ?? 0) + used);
    }
  }

  /** CPU seconds per thread name since construction, largest first. */
  seconds(): [string, number][] {
    return [...this.#byName]
      .map(([name, ticks]): [string, number] => [name, ticks / 100])
      .sort((a, b) => b[1] - a[1]);
  }
}

/**
 * CPU used between two samples and the peak memory seen, per named process; for the processes named
 * in `byThread`, also per thread name (`ThreadCpu`).
 */
export class ProcWatch {
  readonly #start = new Map<string, number>();
  readonly #peak = new Map<string, number>();
  readonly #threads = new Map<string, ThreadCpu>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: Record<string, number>,
    private readonly byThread: string[] = [],
  ) {}

  start(): void {
    for (const [name, pid] of Object.entries(this.pids))
      this.#start.set(name, procSample(pid)?.cpuSeconds ?? 0);
    for (const name of this.byThread)
      if (this.pids[name]) this.#threads.set(name, new ThreadCpu(this.pids[name]));
    this.#timer = setInterval(() => this.#sample(), 250);
  }

  #sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const s = procSample(pid);
      if (s) this.#peak.set(name, Math.max(this.#peak.get(name) ?? 0, s.rssBytes));
    }
    for (const threads of this.#threads.values()) threads.sample();
  }

  /** CPU seconds per thread name of a process named in `byThread`, since start. */
  threadSeconds(name: string): [string, number][] {
    return this.#threads.get(name)?.seconds() ?? [];
  }

  /** Per process: CPU seconds used since start, and peak RSS while watched. */
  stop(): Record<string, { cpuSeconds: number; peakRssMiB: number }> {
    clearInterval(this.#timer);
    this.#sample();
    const out: Record<string, { cpuSeconds: number; peakRssMiB: number }> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const now = procSample(pid)?.cpuSeconds ?? 0;
      out[name] = {
        cpuSeconds: Math.round((now - (this.#start.get(name) ?? 0)) * 10) / 10,
        peakRssMiB: Math.round((this.#peak.get(name) ?? 0) / 1024 / 1024),
      };
    }
    return out;
  }
}
