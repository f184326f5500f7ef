// `npm run bench -- train [--zoo] [--budget full|quick]`: how long the training toolkit takes.
// Default: the `--smoke` run (target: within 2 minutes). With --zoo: the rebuild of the shipped
// zoo into a temporary folder (target: within 45 minutes on 2 cores). Prints the wall time,
// the per-epoch lines count and whether the target is met (exit code 1 if not).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const REPO = resolve(import.meta.dirname, '..');
const SMOKE_TARGET_S = 120;
const ZOO_TARGET_S = 45 * 60;

export function run(args: readonly string[]): Promise<number> {
  return Promise.resolve(measure(args));
}

function measure(args: readonly string[]): number {
  const { values } = parseArgs({
    args: [...args],
    options: { zoo: { type: 'boolean' }, budget: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log('usage: har-gateway bench train [--zoo [--budget full|quick]]');
    return 0;
  }
  const out = mkdtempSync(join(tmpdir(), 'har-bench-train-'));
  try {
    const cli = join(REPO, 'models', 'train', 'cli.py');
    const argv = values.zoo
      ? [cli, 'zoo', '--budget', values.budget ?? 'full', '--out', out]
      : [cli, '--task', 'hapt6', '--smoke', '--id', 'bench-smoke', '--out', out];
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/python3', argv, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
    const seconds = (performance.now() - t0) / 1000;
    const epochs = (r.stderr.match(/ epoch \d+\/\d+/g) ?? []).length;
    const target = values.zoo ? ZOO_TARGET_S : SMOKE_TARGET_S;
    console.log(`train ${values.zoo ? `zoo (${values.budget ?? 'full'})` : 'smoke'}: exit ${r.status}, ${seconds.toFixed(1)} s wall, ${epochs} epochs, target ${target} s: ${seconds <= target ? 'met' : 'missed'}`);
    if (r.status !== 0) process.stderr.write(r.stderr.slice(-4000));
    return r.status === 0 && seconds <= target ? 0 : 1;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
