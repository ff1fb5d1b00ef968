import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PyPI `opperai` release the v2 session test drives (the one the v2 contract was observed from). */
export const OPPERAI_PY_VERSION = '1.7.2';

/** The PyPI `opperai` 2.x release the v3 session test drives (its spans and traces speak `/v3`). */
export const OPPERAI_PY_V3_VERSION = '2.1.1';

/** One venv per release, so the 1.x and 2.x SDKs coexist. */
export const opperVenvDir = (version = OPPERAI_PY_VERSION) =>
  join(homedir(), '.cache', 'tracehouse', `opperai-py-${version}`);

const pythonIn = (venv: string) => join(venv, 'bin', 'python');

const ready = new Map<string, Promise<string>>();

/**
 * The python of a venv holding `opperai==<version>` (default 1.7.2), built on first use and reused
 * afterwards (also across runs). Two processes may race: each builds in a private directory and renames
 * it into place, and whoever loses the rename uses the winner's venv. Only `python -m pip` is run inside
 * it, because a renamed venv keeps working through its python but not through its scripts' shebangs.
 */
export function opperPython(version = OPPERAI_PY_VERSION, basePython = 'python3'): Promise<string> {
  let venv = ready.get(version);
  if (!venv) {
    venv = ensureVenv(version, basePython).catch((err: unknown) => {
      ready.delete(version);
      throw err;
    });
    ready.set(version, venv);
  }
  return venv;
}

async function ensureVenv(version: string, basePython: string): Promise<string> {
  const venvDir = opperVenvDir(version);
  if (await hasOpper(venvDir, version)) return pythonIn(venvDir);
  await mkdir(dirname(venvDir), { recursive: true });
  const building = `${venvDir}.build-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run(basePython, ['-m', 'venv', building], { timeout: 120_000 });
    await run(
      pythonIn(building),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `opperai==${version}`],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    if (!(await hasOpper(building, version)))
      throw new Error(`opperai ${version} did not install in ${building}`);
    await moveIntoPlace(building, venvDir, version);
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  if (!(await hasOpper(venvDir, version))) throw new Error(`no usable opperai venv at ${venvDir}`);
  return pythonIn(venvDir);
}

async function moveIntoPlace(building: string, venvDir: string, version: string): Promise<void> {
  try {
    await rename(building, venvDir);
    return;
  } catch (err) {
    if (!isExists(err)) throw err;
  }
  // Someone else's venv is there: theirs is as good as ours if it works.
  if (await hasOpper(venvDir, version)) return;
  // A broken leftover (interrupted install): move it aside, then take its place.
  const aside = `${venvDir}.broken-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(venvDir, aside).catch((err: unknown) => {
    if (!isMissing(err)) throw err;
  });
  await rename(building, venvDir).catch((err: unknown) => {
    if (!isExists(err)) throw err;
  });
  await rm(aside, { recursive: true, force: true });
}

async function hasOpper(venv: string, version: string): Promise<boolean> {
  const python = pythonIn(venv);
  try {
    await access(python);
  } catch {
    return false;
  }
  const probe = "import importlib.metadata as m, opperai; print(m.version('opperai'))";
  return run(python, ['-c', probe], { timeout: 60_000 }).then(
    ({ stdout }) => stdout.trim() === version,
    () => false,
  );
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
const isExists = (err: unknown) => codeOf(err) === 'EEXIST' || codeOf(err) === 'ENOTEMPTY';
const isMissing = (err: unknown) => codeOf(err) === 'ENOENT';
