// `har-gateway models list|show`: the model zoo (models/zoo/, or $HAR_ZOO_DIR / --zoo <dir>).
// Figures come from the artifacts themselves (models/format/footprint.ts for bytes and MACs,
// the metadata for accuracy and the operating-mode table).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliExit } from '../exit.ts';
import { kernelName } from '../../../models/reference/kernel-names.ts';
import { activationBytes } from '../../../models/format/footprint.ts';
import { DEFAULT_MODEL, listZoo, loadZooModel, summarize, zooDir, ZooError, type ZooEntry, type ZooModelSummary } from '../../../models/zoo/index.ts';
import { ReferenceModel } from '../../../models/reference/executor.ts';
import { checkVectors, readVectorFile, VectorsError } from '../../../models/reference/vectors.ts';

/** Exit code of an unknown or invalid model / zoo. */
export const EXIT_MODEL_ERROR = 1;

interface ZooFlag {
  readonly zoo?: string;
  readonly json?: boolean;
}

function zooOrExit<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ZooError) throw new CliExit(EXIT_MODEL_ERROR, `har-gateway models: ${err.message}`);
    throw err;
  }
}

function percent(v: number | null): string {
  return v === null ? '-' : `${(v * 100).toFixed(2)} %`;
}

/** Plain text table with right-aligned numeric columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function listEntryJson(e: ZooEntry): Record<string, unknown> {
  if (!e.valid) return { id: e.id, path: e.path, default: e.isDefault, valid: false, error: e.error };
  return {
    id: e.id, path: e.path, default: e.isDefault, valid: true, task: e.task, architecture: e.architecture, adaptive: e.adaptive,
    stages: e.stages, classes: e.classes, weightBytes: e.footprint.weightBytes, parameterBytes: e.footprint.parameterBytes,
    peakActivationBytes: e.footprint.peakActivationBytes, macs: e.footprint.fullMacs, modes: e.modes,
    testAccuracy: e.testAccuracy, testMacroF1: e.testMacroF1,
  };
}

function showJson(s: ZooModelSummary): Record<string, unknown> {
  const a = s.artifact;
  return {
    ...listEntryJson(s),
    fileBytes: a.header.fileBytes,
    classNames: a.metadata.classes,
    input: a.metadata.input,
    scoreScale: a.metadata.adaptive.scoreScale,
    stageTable: a.stages.map((st, i) => ({ ...st, name: a.metadata.stages[i]?.name ?? `stage${i}`, ...s.footprint.stages[i] })),
    layers: a.layers.map((l) => ({
      index: l.index, stage: l.stage, role: l.role, kind: l.kind, kernelName: kernelName(l),
      inBits: l.inBits, inSigned: l.inSigned, outBits: l.outBits, outSigned: l.outSigned, weightBits: l.weightBits,
      kernel: l.kernel, stride: l.stride, dilation: l.dilation, padLeft: l.padLeft, padRight: l.padRight,
      inShape: [l.inLen, l.inCh], outShape: [l.outLen, l.outCh],
      weightBytes: l.weightsBytes, outputBytes: activationBytes(l.outCh * l.outLen, l.outSigned), macs: l.macs,
    })),
    modeTable: a.metadata.modes,
    metrics: a.metadata.metrics,
    provenance: a.metadata.provenance,
  };
}

function showText(s: ZooModelSummary): string {
  const a = s.artifact;
  const m = a.metadata;
  const fp = s.footprint;
  const out: string[] = [];
  out.push(`${s.id}${s.isDefault ? ' (default)' : ''} — ${m.task}, ${m.classes.length} classes, ${m.adaptive.kind === 'none' ? 'plain network' : `${m.adaptive.kind}, ${a.net.stageCount} stages`}`);
  out.push(`file: ${s.path} (${a.header.fileBytes} bytes)`);
  out.push(`architecture: ${m.architecture}`);
  out.push(`input: ${m.input.windowSamples} samples x ${m.input.channels.join(', ')} at ${m.input.rateHz} Hz, stride ${m.input.strideSamples}, int8 (scale ${m.input.scale.map((v) => v.toPrecision(4)).join(', ')})`);
  out.push(`classes: ${m.classes.join(', ')}`);
  out.push(`weights: ${fp.weightBytes} bytes packed, ${fp.parameterBytes} bytes with biases/multipliers/shifts; peak activations: ${fp.peakActivationBytes} bytes; full network: ${fp.fullMacs} MACs`);
  out.push('', 'Layers');
  out.push(formatTable(
    ['#', 'stage', 'role', 'kernel', 'in [t][c]', 'out [t][c]', 'k/s/d/pad', 'weight B', 'out B', 'MACs'],
    a.layers.map((l) => [
      String(l.index), String(l.stage), l.role, kernelName(l), `${l.inLen}x${l.inCh}`, `${l.outLen}x${l.outCh}`,
      l.kind === 'linear' || l.kind === 'globalavgpool' ? '-' : `${l.kernel}/${l.stride}/${l.dilation}/${l.padLeft},${l.padRight}`,
      String(l.weightsBytes), String(activationBytes(l.outCh * l.outLen, l.outSigned)), String(l.macs),
    ]),
    new Set([0, 1, 7, 8, 9]),
  ));
  out.push('', 'Stages');
  out.push(formatTable(
    ['#', 'name', 'input', 'backbone', 'head', 'MACs', 'weight B'],
    a.stages.map((st, i) => [String(i), m.stages[i]?.name ?? '', st.inputSource === 0 ? 'window' : 'prev backbone', String(st.backboneLayers), String(st.headLayers), String(fp.stages[i]?.macs ?? 0), String(fp.stages[i]?.weightBytes ?? 0)]),
    new Set([0, 3, 4, 5, 6]),
  ));
  out.push('', `Operating modes (${m.modes.length}, measured on the validation split; cycles/latency/energy from the emulated MCU)`);
  const fig = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
  out.push(formatTable(
    ['threshold', 'accuracy', 'macro F1', 'continue', 'avg MACs', 'cycles', 'latency us', 'energy uJ'],
    m.modes.map((mo) => [String(mo.threshold), percent(mo.accuracy), mo.macroF1.toFixed(4), percent(mo.continueShare), mo.avgMacs.toFixed(0), fig(mo.cycles, 0), fig(mo.latencyUs, 1), fig(mo.energyUj, 3)]),
    new Set([0, 1, 2, 3, 4, 5, 6, 7]),
  ));
  out.push('', 'Metrics');
  for (const split of ['test', 'validation'] as const) {
    const v = m.metrics[split];
    out.push(`  ${split}: ${v ? `accuracy ${percent(v.accuracy)}, macro F1 ${v.macroF1.toFixed(4)}, ${v.windows} windows` : '-'}`);
  }
  const p = m.provenance;
  out.push('', `provenance: ${p.tool}, task ${p.task}, seed ${p.seed}, commit ${p.commit}, ${p.dataset}, protocol ${p.protocol}`);
  return out.join('\n');
}

function listText(entries: readonly ZooEntry[]): string {
  if (entries.length === 0) return 'the zoo has no models';
  return formatTable(
    ['id', 'task', 'adaptive', 'stages', 'weight B', 'param B', 'peak act B', 'MACs', 'modes', 'test acc', 'macro F1'],
    entries.map((e) => (e.valid
      ? [`${e.id}${e.isDefault ? ' *' : ''}`, e.task, e.adaptive, String(e.stages), String(e.footprint.weightBytes), String(e.footprint.parameterBytes), String(e.footprint.peakActivationBytes), String(e.footprint.fullMacs), String(e.modes), percent(e.testAccuracy), e.testMacroF1 === null ? '-' : e.testMacroF1.toFixed(4)]
      : [`${e.id}${e.isDefault ? ' *' : ''}`, `INVALID: ${e.error}`, '', '', '', '', '', '', '', '', ''])),
    new Set([3, 4, 5, 6, 7, 8, 9, 10]),
  ) + '\n(* = default model)';
}

export interface CheckOutcome {
  readonly id: string;
  readonly path: string;
  readonly vectors: string;
  readonly cases: number;
  readonly ok: boolean;
  readonly problems: string[];
}

/** Re-reads an artifact and replays its conformance vectors on the reference executor. */
export function checkZooEntry(entry: ZooEntry, dir: string): CheckOutcome {
  const vectorsPath = join(dir, 'vectors', `${entry.id}.json`);
  const base = { id: entry.id, path: entry.path, vectors: vectorsPath };
  if (!entry.valid) return { ...base, cases: 0, ok: false, problems: [entry.error] };
  if (!existsSync(vectorsPath)) return { ...base, cases: 0, ok: false, problems: [`no conformance vectors at ${vectorsPath}`] };
  try {
    const vectors = readVectorFile(vectorsPath);
    const problems = checkVectors(new ReferenceModel(entry.artifact), vectors);
    return { ...base, cases: vectors.cases.length, ok: problems.length === 0, problems };
  } catch (err) {
    if (err instanceof VectorsError) return { ...base, cases: 0, ok: false, problems: [err.message] };
    throw err;
  }
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('list and show the model zoo (models/zoo, or $HAR_ZOO_DIR)');

  models
    .command('list')
    .description('every model of the zoo: task, adaptive kind, weight/activation bytes, MACs, modes, test accuracy')
    .option('--json', 'print JSON')
    .option('--zoo <dir>', 'zoo folder (default: $HAR_ZOO_DIR, else models/zoo)')
    .action((opts: ZooFlag) => {
      const entries = zooOrExit(() => listZoo(opts.zoo ? { dir: opts.zoo } : {}));
      process.stdout.write(opts.json ? `${JSON.stringify(entries.map(listEntryJson), null, 2)}\n` : `${listText(entries)}\n`);
      if (entries.some((e) => !e.valid)) process.exitCode = EXIT_MODEL_ERROR;
    });

  models
    .command('show')
    .description('one model: layers with bits and shapes, weight/activation bytes, MACs, accuracy, the operating-mode table')
    .argument('[id]', 'model id, or "default"', DEFAULT_MODEL)
    .option('--json', 'print JSON')
    .option('--zoo <dir>', 'zoo folder (default: $HAR_ZOO_DIR, else models/zoo)')
    .action((id: string, opts: ZooFlag) => {
      const options = opts.zoo ? { dir: opts.zoo } : {};
      const summary = zooOrExit(() => {
        const loaded = loadZooModel(id, options);
        const entries = listZoo(options);
        const isDefault = entries.some((e) => e.id === loaded.id && e.isDefault);
        return summarize(loaded.id, loaded.path, loaded.artifact, isDefault);
      });
      process.stdout.write(opts.json ? `${JSON.stringify(showJson(summary), null, 2)}\n` : `${showText(summary)}\n`);
    });

  models
    .command('check')
    .description('re-read every zoo artifact (or one) and replay its conformance vectors on the reference executor, tolerance zero (exit 1 on any problem)')
    .argument('[id]', 'model id (default: every model)')
    .option('--json', 'print JSON')
    .option('--zoo <dir>', 'zoo folder (default: $HAR_ZOO_DIR, else models/zoo)')
    .action((id: string | undefined, opts: ZooFlag) => {
      const options = opts.zoo ? { dir: opts.zoo } : {};
      const dir = zooDir(options);
      const entries = zooOrExit(() => listZoo(options)).filter((e) => id === undefined || e.id === id || (id === DEFAULT_MODEL && e.isDefault));
      if (entries.length === 0) throw new CliExit(EXIT_MODEL_ERROR, `har-gateway models check: no model ${id === undefined ? '' : `"${id}" `}in ${dir}`);
      const outcomes = entries.map((e) => checkZooEntry(e, dir));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      } else {
        for (const o of outcomes) {
          process.stdout.write(o.ok ? `ok    ${o.id}: ${o.cases} cases bit-exact\n` : `FAIL  ${o.id}: ${o.problems.length} problem(s)\n${o.problems.slice(0, 10).map((p) => `      ${p}`).join('\n')}\n`);
        }
      }
      if (outcomes.some((o) => !o.ok)) process.exitCode = EXIT_MODEL_ERROR;
    });
}
