import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PyPI OpenTelemetry release the Python OTLP test exports with (SDK and exporter share it). */
export const OTEL_PY_VERSION = '1.45.2';
const packages = [
  `opentelemetry-sdk==${OTEL_PY_VERSION}`,
  `opentelemetry-exporter-otlp-proto-http==${OTEL_PY_VERSION}`,
];

const venvDir = join(homedir(), '.cache', 'tracehouse', `otel-py-${OTEL_PY_VERSION}`);
const pythonIn = (venv: string) => join(venv, 'bin', 'python');

let ready: Promise<string> | undefined;

/**
 * The python of a venv holding the OpenTelemetry SDK and its OTLP/HTTP protobuf exporter, built on first
 * use and reused across runs: the approach of test/support/python-opper.ts (build in a private
 * directory, rename into place, only ever run `python -m ...` inside it since a renamed venv's scripts
 * keep their old shebangs).
 */
export function otelPython(basePython = 'python3'): Promise<string> {
  ready ??= ensureVenv(basePython).catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}

async function ensureVenv(basePython: string): Promise<string> {
  if (await hasOtel(venvDir)) return pythonIn(venvDir);
  await mkdir(dirname(venvDir), { recursive: true });
  const building = `${venvDir}.build-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run(basePython, ['-m', 'venv', building], { timeout: 120_000 });
    await run(
      pythonIn(building),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...packages],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    if (!(await hasOtel(building))) throw new Error(`opentelemetry ${OTEL_PY_VERSION} did not install`);
    await rename(building, venvDir).catch(async (err: unknown) => {
      // Another process won the race: theirs is as good as ours if it works.
      if (!(await hasOtel(venvDir))) throw err;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  if (!(await hasOtel(venvDir))) throw new Error(`no usable OpenTelemetry venv at ${venvDir}`);
  return pythonIn(venvDir);
}

async function hasOtel(venv: string): Promise<boolean> {
  const python = pythonIn(venv);
  try {
    await access(python);
  } catch {
    return false;
  }
  const probe =
    "import importlib.metadata as m, opentelemetry.exporter.otlp.proto.http.trace_exporter; print(m.version('opentelemetry-sdk'))";
  return run(python, ['-c', probe], { timeout: 60_000 }).then(
    ({ stdout }) => stdout.trim() === OTEL_PY_VERSION,
    () => false,
  );
}
