// End to end: the real CLI (`node bin/har-gateway.js`) on a zoo of artifacts written by the TS
// writer into a temporary folder (HAR_ZOO_DIR), so the test needs no trained model and no data.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFootprint } from '../../models/format/footprint.ts';
import { readArtifact } from '../../models/format/read.ts';
import { writeArtifact } from '../../models/format/write.ts';
import { runReference } from '../../models/reference/executor.ts';
import { randomSpec, randomWindow, seededRandom } from '../unit/models/format/fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/har-gateway.js');

function cli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('har-gateway models / eval (CLI)', () => {
  let zoo: string;
  const plain = randomSpec(4242, 'plain');
  const early = randomSpec(4243, 'early-exit');
  const plainBytes = writeArtifact({ ...plain, metadata: { ...plain.metadata, id: 'tiny-plain', task: 'hapt6' } });
  const earlyBytes = writeArtifact({ ...early, metadata: { ...early.metadata, id: 'tiny-ee', task: 'hapt6' } });

  beforeAll(() => {
    zoo = mkdtempSync(join(tmpdir(), 'har-zoo-'));
    writeFileSync(join(zoo, 'tiny-plain.harm'), plainBytes);
    writeFileSync(join(zoo, 'tiny-ee.harm'), earlyBytes);
    writeFileSync(join(zoo, 'zoo.json'), JSON.stringify({ default: 'tiny-ee' }));
  });
  afterAll(() => rmSync(zoo, { recursive: true, force: true }));

  it('models list --json lists every artifact with its figures and the default', () => {
    const r = cli(['models', 'list', '--json'], { HAR_ZOO_DIR: zoo });
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; default: boolean; valid: boolean; weightBytes: number; peakActivationBytes: number; macs: number; stages: number; modes: number }[];
    expect(list.map((e) => e.id)).toEqual(['tiny-ee', 'tiny-plain']);
    const ee = list[0]!;
    const fp = modelFootprint(readArtifact(earlyBytes));
    expect(ee).toMatchObject({ default: true, valid: true, weightBytes: fp.weightBytes, peakActivationBytes: fp.peakActivationBytes, macs: fp.fullMacs, stages: early.stages.length, modes: 3 });
    expect(list[1]?.default).toBe(false);
  });

  it('models list prints a table; models show prints layers, stages and modes', () => {
    const list = cli(['models', 'list'], { HAR_ZOO_DIR: zoo });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/tiny-ee \*/);
    const show = cli(['models', 'show', 'tiny-ee'], { HAR_ZOO_DIR: zoo });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/tiny-ee \(default\)/);
    expect(show.stdout).toMatch(/conv1d_s8_i\d_u\d/);
    expect(show.stdout).toMatch(/Operating modes \(3/);
    expect(show.stdout).toMatch(/4294967295/);
  });

  it('models show --json gives the layer list with bits, shapes, bytes and MACs', () => {
    const r = cli(['models', 'show', 'default', '--json', '--zoo', zoo]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { id: string; layers: { kernelName: string; macs: number; inShape: number[]; outShape: number[]; weightBits: number }[]; modeTable: { threshold: number }[] };
    const a = readArtifact(earlyBytes);
    expect(s.id).toBe('tiny-ee');
    expect(s.layers).toHaveLength(a.layers.length);
    expect(s.layers.map((l) => l.macs)).toEqual(a.layers.map((l) => l.macs));
    expect(s.layers.map((l) => l.outShape)).toEqual(a.layers.map((l) => [l.outLen, l.outCh]));
    expect(s.modeTable.map((m) => m.threshold)).toEqual([0, 8, 4294967295]);
  });

  it('an unknown model exits 1 naming the path it looked for', () => {
    const r = cli(['models', 'show', 'nope'], { HAR_ZOO_DIR: zoo });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(zoo, 'nope.harm'));
    expect(r.stderr).toMatch(/tiny-ee, tiny-plain/);
  });

  it('an invalid artifact is listed as invalid (exit 1); a missing zoo.json is named', () => {
    const bad = mkdtempSync(join(tmpdir(), 'har-zoo-bad-'));
    try {
      const broken = plainBytes.slice();
      broken[100] = (broken[100] ?? 0) ^ 0xff; // CRC no longer matches
      writeFileSync(join(bad, 'broken.harm'), broken);
      const list = cli(['models', 'list', '--json'], { HAR_ZOO_DIR: bad });
      expect(list.code).toBe(1);
      const entries = JSON.parse(list.stdout) as { id: string; valid: boolean; error?: string }[];
      expect(entries[0]).toMatchObject({ id: 'broken', valid: false });
      expect(entries[0]?.error).toMatch(/CRC/);
      const show = cli(['models', 'show'], { HAR_ZOO_DIR: bad });
      expect(show.code).toBe(1);
      expect(show.stderr).toContain(join(bad, 'zoo.json'));
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('models check replays the vectors: bit-exact passes, a changed value fails naming the layer', () => {
    mkdirSync(join(zoo, 'vectors'), { recursive: true });
    const vectorsOf = (bytes: Uint8Array, id: string, corrupt: boolean): string => {
      const a = readArtifact(bytes);
      const rng = seededRandom(5);
      const cases = [0, 4294967295].map((threshold) => {
        const input = randomWindow(rng, a.net.windowSamples * a.net.inChannels);
        const r = runReference(a, input, threshold, { trace: true });
        return { threshold, input: [...input], layers: r.layers.map((l) => ({ index: l.index, output: [...l.output] })), scores: r.scores, classIndex: r.classIndex, margin: r.margin, exitTaken: r.exitTaken, macs: r.macs };
      });
      if (corrupt) cases[1]!.layers[0]!.output[0]! += 1;
      return JSON.stringify({ model: id, generator: 'e2e test (reference executor)', cases });
    };
    writeFileSync(join(zoo, 'vectors', 'tiny-ee.json'), vectorsOf(earlyBytes, 'tiny-ee', false));
    writeFileSync(join(zoo, 'vectors', 'tiny-plain.json'), vectorsOf(plainBytes, 'tiny-plain', true));
    const r = cli(['models', 'check', '--json'], { HAR_ZOO_DIR: zoo });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { id: string; ok: boolean; cases: number; problems: string[] }[];
    expect(out.find((o) => o.id === 'tiny-ee')).toMatchObject({ ok: true, cases: 2, problems: [] });
    const bad = out.find((o) => o.id === 'tiny-plain');
    expect(bad?.ok).toBe(false);
    expect(bad?.problems[0]).toMatch(/tiny-plain case 1 threshold 4294967295 layer 0 \(conv1d_s8_i\d_u\d\).*\[0\]\[0\] actual \d+ expected \d+/);
  });

  it('eval: missing data exits 1 naming the path (reference and mcu engines); a bad --limit exits 1', () => {
    const missing = join(zoo, 'no-datasets-here');
    const mcu = cli(['eval', '--engine', 'mcu', '--data', missing], { HAR_ZOO_DIR: zoo });
    expect(mcu.code).toBe(1);
    expect(mcu.stderr).toContain(missing);
    const badLimit = cli(['eval', '--limit', '0'], { HAR_ZOO_DIR: zoo });
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr).toMatch(/--limit/);
    const noData = cli(['eval', '--task', 'hapt6', '--data', missing], { HAR_ZOO_DIR: zoo });
    expect(noData.code).toBe(1);
    expect(noData.stderr).toContain(missing);
  });

  it('eval: a bad --mode and a task the model was not trained for exit 1', () => {
    const badMode = cli(['eval', '--mode', 'fast'], { HAR_ZOO_DIR: zoo });
    expect(badMode.code).toBe(1);
    expect(badMode.stderr).toMatch(/--mode/);
    const wrongTask = cli(['eval', '--task', 'hapt12'], { HAR_ZOO_DIR: zoo });
    expect(wrongTask.code).toBe(1);
    expect(wrongTask.stderr).toMatch(/trained for task hapt6/);
  });
});
