import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PyPI `opperai` release the Python session test drives (the one the v2 contract was observed from). */
export const OPPERAI_PY_VERSION = '1.7.2';

export const opperVenvDir = join(homedir(), '.cache', 'tracehouse', `opperai-py-${OPPERAI_PY_VERSION}`);

const pythonIn = (venv: string) => join(venv, 'bin', 'python');

let ready: Promise<string> | undefined;

/**
 * The python of a venv holding `opperai==1.7.2`, built on first use and reused afterwards (also across
 * runs). Two processes may race: each builds in a private directory and renames it into place, and
 * whoever loses the rename uses the winner's venv. Only `python -m pip` is run inside it, because a
 * renamed venv keeps working through its python but not through its scripts' shebangs.
 */
export function opperPython(basePython = 'python3'): Promise<string> {
  ready ??= ensureVenv(basePython).catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}

async function ensureVenv(basePython: string): Promise<string> {
  if (await hasOpper(opperVenvDir)) return pythonIn(opperVenvDir);
  await mkdir(dirname(opperVenvDir), { recursive: true });
  const building = `${opperVenvDir}.build-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run(basePython, ['-m', 'venv', building], { timeout: 120_000 });
    await run(
      pythonIn(building),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `opperai==${OPPERAI_PY_VERSION}`],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    if (!(await hasOpper(building)))
      throw new Error(`opperai ${OPPERAI_PY_VERSION} did not install in ${building}`);
    await moveIntoPlace(building);
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  if (!(await hasOpper(opperVenvDir))) throw new Error(`no usable opperai venv at ${opperVenvDir}`);
  return pythonIn(opperVenvDir);
}

async function moveIntoPlace(building: string): Promise<void> {
  try {
    await rename(building, opperVenvDir);
    return;
  } catch (err) {
    if (!isExists(err)) throw err;
  }
  // Someone else's venv is there: theirs is as good as ours if it works.
  if (await hasOpper(opperVenvDir)) return;
  // A broken leftover (interrupted install): move it aside, then take its place.
  const aside = `${opperVenvDir}.broken-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(opperVenvDir, aside).catch((err: unknown) => {
    if (!isMissing(err)) throw err;
  });
  await rename(building, opperVenvDir).catch((err: unknown) => {
    if (!isExists(err)) throw err;
  });
  await rm(aside, { recursive: true, force: true });
}

async function hasOpper(venv: string): Promise<boolean> {
  const python = pythonIn(venv);
  try {
    await access(python);
  } catch {
    return false;
  }
  const probe = "import importlib.metadata as m, opperai; print(m.version('opperai'))";
  return run(python, ['-c', probe], { timeout: 60_000 }).then(
    ({ stdout }) => stdout.trim() === OPPERAI_PY_VERSION,
    () => false,
  );
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
const isExists = (err: unknown) => codeOf(err) === 'EEXIST' || codeOf(err) === 'ENOTEMPTY';
const isMissing = (err: unknown) => codeOf(err) === 'ENOENT';
