import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeArtifact } from '../../../../models/format/write.ts';
import { defaultModelId, listZoo, loadZooModel, ZOO_DIR_ENV, ZooError, zooDir } from '../../../../models/zoo/index.ts';
import { randomSpec } from '../format/fixtures.ts';

function zooError(fn: () => unknown): ZooError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ZooError) return err;
    throw err;
  }
  throw new Error('expected a ZooError');
}

describe('model zoo registry', () => {
  let dir: string;
  const spec = randomSpec(9, 'plain');
  const bytes = writeArtifact({ ...spec, metadata: { ...spec.metadata, id: 'model-a' } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zoo-'));
    writeFileSync(join(dir, 'model-a.harm'), bytes);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a model by id and through zoo.json', () => {
    writeFileSync(join(dir, 'zoo.json'), JSON.stringify({ default: 'model-a' }));
    const byId = loadZooModel('model-a', { dir });
    expect(byId.id).toBe('model-a');
    expect(byId.path).toBe(join(dir, 'model-a.harm'));
    expect(byId.artifact.metadata.id).toBe('model-a');
    expect(loadZooModel('default', { dir }).id).toBe('model-a');
    expect(defaultModelId({ dir })).toBe('model-a');
  });

  it('errors name the path: missing / invalid zoo.json, unknown id, wrong id inside the file', () => {
    expect(zooError(() => loadZooModel('default', { dir })).message).toContain(join(dir, 'zoo.json'));
    writeFileSync(join(dir, 'zoo.json'), '{ "default": 3 }');
    const invalid = zooError(() => loadZooModel('default', { dir }));
    expect(invalid.code).toBe('ZOO_INDEX_INVALID');
    expect(invalid.path).toBe(join(dir, 'zoo.json'));
    writeFileSync(join(dir, 'zoo.json'), 'not json');
    expect(zooError(() => defaultModelId({ dir })).code).toBe('ZOO_INDEX_INVALID');
    const unknown = zooError(() => loadZooModel('model-b', { dir }));
    expect(unknown.code).toBe('ZOO_UNKNOWN_MODEL');
    expect(unknown.message).toContain(join(dir, 'model-b.harm'));
    expect(unknown.message).toContain('model-a');
    expect(zooError(() => loadZooModel('../etc/passwd', { dir })).code).toBe('ZOO_UNKNOWN_MODEL');
    writeFileSync(join(dir, 'renamed.harm'), bytes);
    expect(zooError(() => loadZooModel('renamed', { dir })).message).toMatch(/holds model "model-a"/);
  });

  it('lists valid and invalid artifacts without throwing', () => {
    writeFileSync(join(dir, 'broken.harm'), bytes.subarray(0, 100));
    writeFileSync(join(dir, 'zoo.json'), JSON.stringify({ default: 'model-a' }));
    const entries = listZoo({ dir });
    expect(entries.map((e) => [e.id, e.valid, e.isDefault])).toEqual([['broken', false, false], ['model-a', true, true]]);
    const a = entries[1];
    if (!a?.valid) throw new Error('model-a should be valid');
    expect(a.footprint.fullMacs).toBe(a.artifact.layers.reduce((s, l) => s + l.macs, 0));
    expect(a.modes).toBe(1);
    expect(zooError(() => listZoo({ dir: join(dir, 'missing') })).code).toBe('ZOO_MISSING');
  });

  it('HAR_ZOO_DIR overrides the folder', () => {
    const before = process.env[ZOO_DIR_ENV];
    process.env[ZOO_DIR_ENV] = dir;
    try {
      expect(zooDir()).toBe(dir);
      expect(loadZooModel('model-a').path).toBe(join(dir, 'model-a.harm'));
    } finally {
      if (before === undefined) delete process.env[ZOO_DIR_ENV];
      else process.env[ZOO_DIR_ENV] = before;
    }
  });
});
