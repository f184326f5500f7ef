// The Python unit tests of the training toolkit (packing, requantization rounding, artifact round
// trip and corruption, integer simulation against a plain-Python transcription of
// ARITHMETIC.md). Needs /usr/bin/python3 with numpy and python3-torch.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');

describe('models/train Python unit tests', () => {
  it('pass', () => {
    const r = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', join('models', 'train', 'tests'), '-t', join('models', 'train')], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Ran \d+ tests/);
    expect(r.stderr).toContain('OK');
  });
});
