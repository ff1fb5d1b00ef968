import { venvPython } from './python-venv.js';

/** The PyPI `opperai` release the v2 session test drives (the one the v2 contract was observed from). */
export const OPPERAI_PY_VERSION = '1.7.2';

/** The PyPI `opperai` 2.x release the v3 session test drives (its spans and traces speak `/v3`). */
export const OPPERAI_PY_V3_VERSION = '2.1.1';

/**
 * The python of a cached venv holding `opperai==<version>` (default 1.7.2); one venv per release, so
 * the 1.x and 2.x SDKs coexist (see python-venv.ts).
 */
export function opperPython(version = OPPERAI_PY_VERSION, basePython = 'python3'): Promise<string> {
  return venvPython(
    {
      name: `opperai-py-${version}`,
      packages: [`opperai==${version}`],
      probe: "import importlib.metadata as m, opperai; print(m.version('opperai'))",
      version,
    },
    basePython,
  );
}
