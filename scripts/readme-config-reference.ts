// Rewrites the "Configuration reference" section of README.md from the zod schema
// (`npx tsx scripts/readme-config-reference.ts`; `--check` exits 1 when the README is stale).
// The section runs from the generated heading to the next level-2 heading.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configReferenceMarkdown, REFERENCE_HEADING } from '../daemon/config/reference.ts';

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

/** README text with its configuration reference section replaced by the generated one. */
export function withGeneratedReference(readme: string): string {
  const start = readme.indexOf(REFERENCE_HEADING);
  if (start < 0) throw new Error(`README.md has no "${REFERENCE_HEADING}" section`);
  const next = readme.indexOf('\n## ', start + REFERENCE_HEADING.length);
  const end = next < 0 ? readme.length : next + 1;
  return readme.slice(0, start) + configReferenceMarkdown().trimEnd() + '\n\n' + readme.slice(end);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const current = readFileSync(README_PATH, 'utf8');
  const fresh = withGeneratedReference(current);
  if (process.argv.includes('--check')) {
    if (fresh !== current) {
      process.stderr.write('README.md: the configuration reference is stale; run npx tsx scripts/readme-config-reference.ts\n');
      process.exitCode = 1;
    }
  } else if (fresh !== current) {
    writeFileSync(README_PATH, fresh);
    process.stdout.write('README.md: configuration reference updated\n');
  }
}
