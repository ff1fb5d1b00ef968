import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements, tuningUnknownHere } from './migrations.js';

describe('splitStatements', () => {
  it('splits on semicolons at line ends and drops comment lines', () => {
    const sql = `-- first\nCREATE TABLE a (x String) ENGINE = Memory;\n\n-- second; with a semicolon\nCREATE TABLE b (s String DEFAULT 'a;b')\nENGINE = Memory;\n`;
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE a (x String) ENGINE = Memory',
      "CREATE TABLE b (s String DEFAULT 'a;b')\nENGINE = Memory",
    ]);
  });
});

describe('loadMigrations', () => {
  it('loads the repository migrations in version order with checksums', async () => {
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    for (const m of migrations) {
      expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(m.statements.length).toBeGreaterThan(0);
      // Idempotent by construction: every CREATE guards itself.
      for (const s of m.statements.filter((s) => /^CREATE/i.test(s))) expect(s).toMatch(/IF NOT EXISTS/i);
    }
  });

  it('rejects badly named files and duplicate versions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'th-mig-'));
    await writeFile(join(dir, '0001_a.sql'), 'SELECT 1;');
    await writeFile(join(dir, '0001_b.sql'), 'SELECT 1;');
    await expect(loadMigrations(dir)).rejects.toThrow(/share a version/);
    const bad = await mkdtemp(join(tmpdir(), 'th-mig-'));
    await writeFile(join(bad, 'init.sql'), 'SELECT 1;');
    await expect(loadMigrations(bad)).rejects.toThrow(/0001_name\.sql/);
  });
});

describe('tuningUnknownHere', () => {
  const unknownSetting = Object.assign(new Error("Unknown setting 'merge_selector_base'"), {
    code: '115',
    type: 'UNKNOWN_SETTING',
  });
  const refuse = (err: Error) => () => Promise.reject(err);
  const tuning = 'ALTER TABLE spans_v2 MODIFY SETTING merge_selector_base = 10';

  it('skips a MODIFY SETTING the server does not know', async () => {
    await expect(tuningUnknownHere(refuse(unknownSetting), tuning)).resolves.toBe(true);
    await expect(tuningUnknownHere(() => Promise.resolve(), tuning)).resolves.toBe(false);
  });

  it('throws for any other statement or failure', async () => {
    const schema = 'ALTER TABLE spans_v2 ADD COLUMN x UInt8 SETTINGS merge_selector_base = 10';
    await expect(tuningUnknownHere(refuse(unknownSetting), schema)).rejects.toBe(unknownSetting);
    const other = Object.assign(new Error('Table does not exist'), { code: '60', type: 'UNKNOWN_TABLE' });
    await expect(tuningUnknownHere(refuse(other), tuning)).rejects.toBe(other);
  });
});
