import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkZooEntry, formatTable, listEntryJson } from '../../../../../daemon/cli/commands/models.ts';
import { writeArtifact } from '../../../../../models/format/write.ts';
import { listZoo } from '../../../../../models/zoo/index.ts';
import { randomSpec } from '../../../models/format/fixtures.ts';

describe('models command helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'models-cmd-'));
  const spec = randomSpec(61, 'cascade');
  writeFileSync(join(dir, 'casc.harm'), writeArtifact({ ...spec, metadata: { ...spec.metadata, id: 'casc' } }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('check reports missing, unreadable and foreign vectors as problems', () => {
    const [entry] = listZoo({ dir });
    if (!entry) throw new Error('no entry');
    expect(checkZooEntry(entry, dir)).toMatchObject({ ok: false, cases: 0 });
    expect(checkZooEntry(entry, dir).problems[0]).toContain(join(dir, 'vectors', 'casc.json'));
    mkdirSync(join(dir, 'vectors'), { recursive: true });
    writeFileSync(join(dir, 'vectors', 'casc.json'), '{"model": "casc", "generator": "x", "cases": []}');
    expect(checkZooEntry(entry, dir).problems[0]).toMatch(/cases/);
    writeFileSync(join(dir, 'vectors', 'casc.json'), JSON.stringify({ model: 'other', generator: 'x', cases: [{ threshold: 0, input: [1], layers: [], scores: [], classIndex: 0, margin: 0, exitTaken: 0, macs: 0 }] }));
    const foreign = checkZooEntry(entry, dir);
    expect(foreign.problems.join('\n')).toMatch(/for model "other"/);
    expect(foreign.problems.join('\n')).toMatch(/input has 1 values/);
  });

  it('list JSON carries the footprint figures', () => {
    const [entry] = listZoo({ dir });
    if (!entry?.valid) throw new Error('invalid');
    expect(listEntryJson(entry)).toMatchObject({ id: 'casc', valid: true, adaptive: 'cascade', weightBytes: entry.footprint.weightBytes, macs: entry.footprint.fullMacs });
  });

  it('formats aligned tables', () => {
    expect(formatTable(['a', 'num'], [['x', '1'], ['long', '100']], new Set([1]))).toBe('a     num\n----  ---\nx       1\nlong  100');
  });
});
