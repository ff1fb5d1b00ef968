/**
 * The stand-in's own Python unit tests (tests/, stdlib unittest), run by `npm test` with the
 * chdb venv's python: the package imports the engine binding, so no other python will do. The venv
 * is only looked up, never built here (a unit test must not reach PyPI); without it the file is
 * skipped with the reason, and the integration tests, which build it, still cover the stand-in.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cacheRoot, chdbVersion } from '@tracehouse/local-services';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const venv = join(cacheRoot, `chdb-${chdbVersion()}`);
const python = join(venv, 'bin', 'python');
const installed = existsSync(join(venv, '.installed'));

describe.skipIf(!installed)(`clickhouse_http Python unit tests (${python})`, () => {
  it('pass', async () => {
    const result = await run(python, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], {
      cwd: here,
      timeout: 120_000,
    }).then(
      ({ stderr }) => ({ code: 0, output: stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: err.code ?? 1,
        output: `${err.stdout ?? ''}${err.stderr ?? ''}`,
      }),
    );
    // unittest reports on stderr; its summary line says how many ran.
    expect(result.output, result.output).toMatch(/Ran \d+ tests?/);
    expect(result.code, result.output).toBe(0);
  });
});

if (!installed) {
  describe('clickhouse_http Python unit tests', () => {
    it.skip(`skipped: no chdb venv at ${venv} (npm run services:up or the integration tests create it)`, () => {});
  });
}
