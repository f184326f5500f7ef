// `npm run bench -- reference [--model <id>] [--windows <n>] [--zoo <dir>]`: speed of the
// TypeScript integer reference executor on every zoo model (or one), on seeded random int8
// windows (generated, never dataset windows). Prints per model and mode: windows/s, µs per
// window, M MAC/s (wall and CPU time), and the artifact read + engine creation time. The daemon's target: 1000
// wearables at one window per 1.28 s (stride 64 at 50 Hz) is about 800 windows/s in total.
import { parseArgs } from 'node:util';
import { THRESHOLD_FIRST_EXIT, THRESHOLD_FULL } from '../models/engine.ts';
import { readArtifact } from '../models/format/read.ts';
import { createReferenceEngine } from '../models/reference/executor.ts';
import { listZoo } from '../models/zoo/index.ts';

function seededWindows(count: number, values: number, seed: number): Int8Array[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a;
  };
  return Array.from({ length: count }, () => Int8Array.from({ length: values }, () => (next() >>> 24) - 128));
}

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { model: { type: 'string' }, windows: { type: 'string' }, zoo: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: har-gateway bench reference [--model <id>] [--windows <n>] [--zoo <dir>]');
    return 0;
  }
  await Promise.resolve();
  const windowCount = Math.max(10, Number(values.windows ?? 2000));
  const entries = listZoo(values.zoo ? { dir: values.zoo } : {}).filter((e) => e.valid && (!values.model || e.id === values.model));
  if (entries.length === 0) {
    console.error(`no ${values.model ? `model "${values.model}" in the` : 'valid models in the'} zoo`);
    return 1;
  }
  console.log(`reference executor, ${windowCount} random windows per mode, node ${process.version}`);
  for (const entry of entries) {
    if (!entry.valid) continue;
    const t0 = performance.now();
    const artifact = readArtifact(entry.artifact.bytes);
    const engine = createReferenceEngine(artifact);
    const setupMs = performance.now() - t0;
    const windows = seededWindows(windowCount, artifact.net.windowSamples * artifact.net.inChannels, 12345);
    const modes = artifact.stages.length > 1 ? [THRESHOLD_FIRST_EXIT, THRESHOLD_FULL] : [THRESHOLD_FULL];
    for (const threshold of modes) {
      for (let i = 0; i < Math.min(100, windowCount); i++) engine.run(windows[i]!, threshold); // warm-up
      let macs = 0;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      for (const w of windows) macs += engine.run(w, threshold).macs;
      const ms = performance.now() - start;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      // CPU time is the steadier figure on a shared machine; wall time is what a client sees.
      console.log(
        `${entry.id.padEnd(24)} ${threshold === THRESHOLD_FULL ? 'full ' : 'first'}  ${((windowCount / ms) * 1000).toFixed(0).padStart(6)} windows/s wall, ${((windowCount / cpuMs) * 1000).toFixed(0).padStart(6)} per CPU-s  ${((cpuMs * 1000) / windowCount).toFixed(1).padStart(8)} CPU-us/window  ${(macs / windowCount).toFixed(0).padStart(8)} MACs/window  ${(macs / cpuMs / 1000).toFixed(0).padStart(5)} M MAC/CPU-s  (read + prepare ${setupMs.toFixed(1)} ms)`,
      );
    }
  }
  return 0;
}
