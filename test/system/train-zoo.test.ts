// The shipped zoo (models/zoo) is what the toolkit says it is: every artifact re-reads and replays
// its conformance vectors in the integer simulation, zoo.json names a shipped model, and the
// README is exactly what `npm run train -- readme` generates from the artifacts (its test columns
// need the window cache of the real recordings). Needs /usr/bin/python3 with python3-torch.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const ZOO = join(REPO, 'models', 'zoo');
const CLI = join(REPO, 'models', 'train', 'cli.py');

describe('models/zoo', () => {
  it('every artifact replays its vectors in the integer simulation', () => {
    const r = spawnSync('/usr/bin/python3', [CLI, 'check'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const models = readdirSync(ZOO).filter((f) => f.endsWith('.harm'));
    expect(models.length).toBeGreaterThan(0);
    expect(r.stdout.match(/^ok /gm)).toHaveLength(models.length);
  });

  it('zoo.json names a shipped model', () => {
    const zoo = JSON.parse(readFileSync(join(ZOO, 'zoo.json'), 'utf8')) as { default: string };
    expect(existsSync(join(ZOO, `${zoo.default}.harm`))).toBe(true);
  });

  it('README.md is the generated one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'har-zoo-'));
    try {
      cpSync(ZOO, dir, { recursive: true });
      const r = spawnSync('/usr/bin/python3', [CLI, 'readme', '--out', dir], { cwd: REPO, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(readFileSync(join(ZOO, 'README.md'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
