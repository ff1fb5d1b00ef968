import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A cached venv: its directory name under ~/.cache/tracehouse, what to pip install, how to check it. */
export interface VenvSpec {
  name: string;
  packages: string[];
  /** Python that prints the installed version; the venv is usable when it prints `version`. */
  probe: string;
  version: string;
}

const pythonIn = (venv: string) => join(venv, 'bin', 'python');
export const venvDir = (name: string) => join(homedir(), '.cache', 'tracehouse', name);

const ready = new Map<string, Promise<string>>();

/**
 * The python of a venv holding `spec.packages`, built on first use and reused afterwards (also across
 * runs). Two processes may race: each builds in a private directory and renames it into place, and
 * whoever loses the rename uses the winner's venv. Only `python -m pip` is run inside it, because a
 * renamed venv keeps working through its python but not through its scripts' shebangs.
 */
export function venvPython(spec: VenvSpec, basePython = 'python3'): Promise<string> {
  let venv = ready.get(spec.name);
  if (!venv) {
    venv = ensureVenv(spec, basePython).catch((err: unknown) => {
      ready.delete(spec.name);
      throw err;
    });
    ready.set(spec.name, venv);
  }
  return venv;
}

async function ensureVenv(spec: VenvSpec, basePython: string): Promise<string> {
  const dir = venvDir(spec.name);
  if (await usable(dir, spec)) return pythonIn(dir);
  await mkdir(dirname(dir), { recursive: true });
  const building = `${dir}.build-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run(basePython, ['-m', 'venv', building], { timeout: 120_000 });
    await run(
      pythonIn(building),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...spec.packages],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    if (!(await usable(building, spec))) throw new Error(`${spec.name} did not install in ${building}`);
    await moveIntoPlace(building, dir, spec);
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  if (!(await usable(dir, spec))) throw new Error(`no usable venv at ${dir}`);
  return pythonIn(dir);
}

async function moveIntoPlace(building: string, dir: string, spec: VenvSpec): Promise<void> {
  try {
    await rename(building, dir);
    return;
  } catch (err) {
    if (!isExists(err)) throw err;
  }
  // Someone else's venv is there: theirs is as good as ours if it works.
  if (await usable(dir, spec)) return;
  // A broken leftover (interrupted install): move it aside, then take its place.
  const aside = `${dir}.broken-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(dir, aside).catch((err: unknown) => {
    if (!isMissing(err)) throw err;
  });
  await rename(building, dir).catch((err: unknown) => {
    if (!isExists(err)) throw err;
  });
  await rm(aside, { recursive: true, force: true });
}

async function usable(venv: string, spec: VenvSpec): Promise<boolean> {
  const python = pythonIn(venv);
  try {
    await access(python);
  } catch {
    return false;
  }
  return run(python, ['-c', spec.probe], { timeout: 60_000 }).then(
    ({ stdout }) => stdout.trim() === spec.version,
    () => false,
  );
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
const isExists = (err: unknown) => codeOf(err) === 'EEXIST' || codeOf(err) === 'ENOTEMPTY';
const isMissing = (err: unknown) => codeOf(err) === 'ENOENT';

/**
 * Runs a python script with only what python needs in its environment (no key from the developer's
 * shell) and returns its stdout parsed as JSON; a failure carries the end of its stderr.
 */
export function runPythonJson(
  python: string,
  script: string,
  env: Record<string, string>,
  timeoutMs = 170_000,
  // biome-ignore lint/suspicious/noExplicitAny: the script's JSON, asserted field by field by its test
): Promise<any> {
  const childEnv: Record<string, string> = { ...env, PYTHONUNBUFFERED: '1' };
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SSL_CERT_FILE']) {
    const value = process.env[name];
    if (value !== undefined) childEnv[name] = value;
  }
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [script],
      { env: childEnv, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `${script.split('/').pop()} failed (${err.code ?? err.signal}):\n${stderr.slice(-6000)}`,
            ),
          );
        else resolve(JSON.parse(stdout));
      },
    );
  });
}
