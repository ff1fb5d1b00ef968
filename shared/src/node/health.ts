/**
 * Readiness of a process made of parts (producer, consumer, ClickHouse, ...). Each part registers a
 * check; `/healthz` answers 200 only when every check passes. Checks are bounded in time so a hung
 * dependency reports "not ready" instead of hanging the probe.
 */
export type HealthCheck = () => Promise<boolean> | boolean;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, boolean>;
}

export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>();

  constructor(private readonly timeoutMs = 2_000) {}

  register(name: string, check: HealthCheck): void {
    if (this.#checks.has(name)) throw new Error(`health check "${name}" registered twice`);
    this.#checks.set(name, check);
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]) => [name, await this.#run(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.length > 0 && entries.every(([, ok]) => ok), checks };
  }

  async #run(check: HealthCheck): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(check), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
