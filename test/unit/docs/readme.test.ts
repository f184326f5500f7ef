// The README stays true: its configuration reference is the one generated from the zod schema.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_PATH, withGeneratedReference } from '../../../scripts/readme-config-reference.ts';

describe('README.md', () => {
  it('carries the configuration reference generated from the schema (npx tsx scripts/readme-config-reference.ts)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(withGeneratedReference(readme)).toBe(readme);
  });

  it('refuses a README without the section', () => {
    expect(() => withGeneratedReference('# title\n')).toThrow(/no "## Configuration reference" section/);
  });
});
