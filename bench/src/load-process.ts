import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '@tracehouse/local-services';
import type { ProfileName } from './profiles.js';

/** What the load generator reports on stdout (bench/src/load.ts). */
type LoadMessage =
  | { type: 'sample'; id: string; traceId: string; ackedAt: number; spans: number }
  | {
      type: 'done';
      accepted: number;
      rejected: number;
      failed: number;
      bytes: number;
      seconds: number;
      cpuSeconds: number;
    };
export type LoadSample = Extract<LoadMessage, { type: 'sample' }>;
export type LoadReport = Extract<LoadMessage, { type: 'done' }>;

/**
 * Runs the load generator (its own process, on the same cores) against an ingest URL until it ends,
 * handing over each acknowledged request's sample as it comes; resolves with its report and pid.
 */
export async function runLoad(
  o: { url: string; key: string; profile: ProfileName; seconds: number; rate: number },
  onSample: (sample: LoadSample) => void,
): Promise<{ report: LoadReport; pid: number | undefined }> {
  const load = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      // The otlp profile encodes with @tracehouse/ingest, read from source like every service here.
      '--conditions=development',
      join(repoRoot, 'bench', 'src', 'load.ts'),
      `--url=${o.url}`,
      `--key=${o.key}`,
      `--profile=${o.profile}`,
      `--seconds=${o.seconds}`,
      `--rate=${o.rate}`,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let report: LoadReport | undefined;
  for await (const line of createInterface({ input: load.stdout! })) {
    const msg = JSON.parse(line) as LoadMessage;
    if (msg.type === 'sample') onSample(msg);
    else report = msg;
  }
  if (!report) throw new Error('the load generator ended without a report');
  return { report, pid: load.pid };
}
