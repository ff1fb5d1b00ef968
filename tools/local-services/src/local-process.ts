import { join } from 'node:path';
import { isAlive, killProcess, logTail, readPid, stopProcess } from './process.js';

/** What LocalKafka and LocalClickHouse share: a pid file and a log in their data dir, stop and kill. */
export abstract class LocalProcess {
  readonly logFile: string;
  readonly pidFile: string;

  protected constructor(dataDir: string, name: string) {
    this.logFile = join(dataDir, `${name}.log`);
    this.pidFile = join(dataDir, `${name}.pid`);
  }

  /** A real round trip with the service, throwing when it does not answer. */
  protected abstract roundTrip(): Promise<void>;

  get pid(): number | undefined {
    const pid = readPid(this.pidFile);
    return pid !== undefined && isAlive(pid) ? pid : undefined;
  }

  isRunning(): boolean {
    return this.pid !== undefined;
  }

  async healthy(): Promise<boolean> {
    return (
      this.isRunning() &&
      this.roundTrip().then(
        () => true,
        () => false,
      )
    );
  }

  /** Clean shutdown, SIGKILL after 30 s; the whole process group goes. */
  stop(): Promise<void> {
    return stopProcess(this.pidFile, 30_000);
  }

  /** SIGKILL at once, like a crash. */
  kill(): Promise<void> {
    return killProcess(this.pidFile);
  }

  logTail(lines?: number): string {
    return logTail(this.logFile, lines);
  }

  /** Waits for readiness, attaching the log tail to a failure so it explains itself. */
  protected async waitReady(wait: () => Promise<void>): Promise<void> {
    try {
      await wait();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${this.logFile} ---\n${this.logTail()}`);
    }
  }
}
