// The training toolkit end to end (issue 3 §2): `npm run train -- --smoke` trains on the window
// cache of the real recordings (HAR_DATA_DIR, default ../shared/datasets), exports an artifact and
// its conformance vectors, reproducibly; the TypeScript reader accepts the artifact and the
// integer simulation replays the vectors. Needs /usr/bin/python3 with python3-torch.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../../models/format/read.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const CLI = join(REPO, 'models', 'train', 'cli.py');

function train(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, [CLI, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run train -- --smoke', () => {
  let dir = '';
  const runs: ReturnType<typeof train>[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'har-train-'));
    for (const out of ['a', 'b']) {
      runs.push(train(['--task', 'hapt6', '--smoke', '--seed', '7', '--id', 'smoke-hapt6', '--out', join(dir, out)]));
    }
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Its duration (target: 2 minutes) is measured by `npm run bench -- train`, not here.
  it('succeeds, showing progress with an ETA', () => {
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/ETA \d\d:\d\d/);
    }
  });

  it('is reproducible: the same seed gives a byte-identical artifact and vectors', () => {
    const a = readFileSync(join(dir, 'a', 'smoke-hapt6.harm'));
    const b = readFileSync(join(dir, 'b', 'smoke-hapt6.harm'));
    expect(Buffer.compare(a, b)).toBe(0);
    expect(readFileSync(join(dir, 'a', 'vectors', 'smoke-hapt6.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'b', 'vectors', 'smoke-hapt6.json'), 'utf8'),
    );
  });

  it('writes an artifact the TypeScript reader accepts, with measured metadata', () => {
    const artifact = readArtifact(new Uint8Array(readFileSync(join(dir, 'a', 'smoke-hapt6.harm'))));
    const meta = artifact.metadata;
    expect(meta.id).toBe('smoke-hapt6');
    expect(meta.task).toBe('hapt6');
    expect(meta.classes).toHaveLength(6);
    expect(meta.modes).toEqual([expect.objectContaining({ threshold: 0 })]);
    expect(meta.metrics.test?.windows).toBeGreaterThan(1000);
    // a 3-epoch model is far better than chance (1/6) on the test subjects
    expect(meta.metrics.test?.accuracy).toBeGreaterThan(0.5);
    expect(meta.provenance.seed).toBe(7);
  });

  it('replays its conformance vectors through the integer simulation', () => {
    const r = spawnSync(PYTHON, [CLI, 'check', '--out', join(dir, 'a')], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ok {3}smoke-hapt6\.harm: \d+ cases agree/);
  });

  it('check reports a vector that does not match', () => {
    const bad = join(dir, 'bad');
    mkdirSync(join(bad, 'vectors'), { recursive: true });
    copyFileSync(join(dir, 'a', 'smoke-hapt6.harm'), join(bad, 'smoke-hapt6.harm'));
    const vectors = JSON.parse(readFileSync(join(dir, 'a', 'vectors', 'smoke-hapt6.json'), 'utf8')) as {
      cases: { layers: { index: number; output: number[] }[] }[];
    };
    const layer = vectors.cases[0]?.layers[0];
    if (!layer) throw new Error('no layer in the first case');
    layer.output[3] = (layer.output[3] ?? 0) + 1;
    writeFileSync(join(bad, 'vectors', 'smoke-hapt6.json'), JSON.stringify(vectors));
    const r = spawnSync(PYTHON, [CLI, 'check', '--out', bad], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('case 0 layer 0: first difference at 3');
  });
});
