import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) and memory of a process, from /proc (Linux). */
export function procSample(
  pid: number,
): { cpuSeconds: number; rssBytes: number; peakBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: ticks / 100, rssBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU used between two samples and the peak memory seen, per named process. */
export class ProcWatch {
  readonly #start = new Map<string, number>();
  readonly #peak = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: Record<string, number>) {}

  start(): void {
    for (const [name, pid] of Object.entries(this.pids))
      this.#start.set(name, procSample(pid)?.cpuSeconds ?? 0);
    this.#timer = setInterval(() => this.#samplePeaks(), 500);
  }

  #samplePeaks(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const s = procSample(pid);
      if (s) this.#peak.set(name, Math.max(this.#peak.get(name) ?? 0, s.rssBytes));
    }
  }

  /** Per process: CPU seconds used since start, and peak RSS while watched. */
  stop(): Record<string, { cpuSeconds: number; peakRssMiB: number }> {
    clearInterval(this.#timer);
    this.#samplePeaks();
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
