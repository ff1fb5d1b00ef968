import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, repoRoot } from '@tracehouse/local-services';
import { testServices } from '@tracehouse/test-support/clients';
import { uniqueName } from '@tracehouse/test-support/names';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm start` as a newcomer sees it in a terminal (pretty logs): a healthy start prints the banner and
 * no ERROR or WARN line, and Ctrl-C stops it cleanly, also without one.
 */
describe('the first start', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the banner and no ERROR or WARN line, then stops on Ctrl-C with exit code 0', async () => {
    const services = testServices();
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'scripts/start.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        KAFKA_BROKERS: services.kafkaBrokers.join(','),
        CLICKHOUSE_URL: services.clickhouseUrl,
        CLICKHOUSE_USER: services.clickhouseUser,
        CLICKHOUSE_PASSWORD: services.clickhousePassword,
        CLICKHOUSE_DATABASE: uniqueName('th_first'),
        TOPIC_PREFIX: uniqueName('first'),
        WRITER_GROUP_ID: uniqueName('first_writer'),
        PORT: String(port),
        LOG_FORMAT: 'pretty',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 120_000;
    while (!/Tracehouse is running at/.test(output) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toMatch(/Tracehouse is running at http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/API reference/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    // pino-pretty labels levels WARN / ERROR / FATAL (colours only on a terminal); none may appear.
    expect(output.split('\n').filter((line) => /\b(WARN|ERROR|FATAL)\b/.test(line))).toEqual([]);
  });
});
