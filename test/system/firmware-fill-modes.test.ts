// The mode-table fill script (device-sim/twin/fill-modes.ts) end to end on a copy of the zoo and
// the shared datasets (HAR_DATA_DIR): it writes cycles, latency and energy into every mode of
// every model, changes only the metadata, and the result reads back valid.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fillZooModes } from '../../device-sim/twin/fill-modes.ts';
import { readArtifact } from '../../models/format/index.ts';

const DATA_DIR = process.env.HAR_DATA_DIR ?? '../shared/datasets';
const dir = mkdtempSync(join(tmpdir(), 'har-zoo-fill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fill-modes', () => {
  it('fills every mode of every zoo model from the twin, metadata only', { timeout: 900_000 }, () => {
    const files = readdirSync('models/zoo').filter((f) => f.endsWith('.harm'));
    for (const f of files) copyFileSync(join('models/zoo', f), join(dir, f));
    const lines: string[] = [];
    const updated = fillZooModes({ zooDir: dir, dataDir: DATA_DIR, limit: 24, log: (l) => lines.push(l) });
    expect(updated.length).toBe(files.length);
    for (const f of files) {
      const before = readArtifact(new Uint8Array(readFileSync(join('models/zoo', f))));
      const after = readArtifact(new Uint8Array(readFileSync(join(dir, f))));
      const net = (a: typeof before) => a.bytes.subarray(a.header.netOffset, a.header.metaOffset);
      expect(Buffer.from(net(after)).equals(Buffer.from(net(before)))).toBe(true);
      expect(after.metadata.modes.length).toBe(before.metadata.modes.length);
      for (const m of after.metadata.modes) {
        expect(m.cycles).toBeGreaterThan(0);
        expect(m.latencyUs).toBeGreaterThan(0);
        expect(m.energyUj).toBeGreaterThan(0);
      }
      expect({ ...after.metadata, modes: [] }).toEqual({ ...before.metadata, modes: [] });
    }
    expect(lines.some((l) => l.includes('24 hapt6 validation windows'))).toBe(true);
  });
});
