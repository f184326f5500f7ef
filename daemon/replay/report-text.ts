// The terminal summary of a replay report: the overall figures, one line per recording, the
// per-class table and the confusion matrix, the skipped sources.
import { formatTable } from '../cli/commands/models.ts';
import type { Figures, ReplayReport } from './report.ts';

const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(2)} %`);
const num = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
const shares = (r: Readonly<Record<string, number>>): string =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`)
    .join(', ') || '-';
const counts = (r: Readonly<Record<string, number>>): string =>
  Object.entries(r)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function figureLines(f: Figures): string[] {
  return [
    `windows ${f.windows} (${f.scoredWindows} labelled), accuracy ${pct(f.accuracy)}, macro F1 ${num(f.macroF1, 4)}`,
    `modes: ${shares(f.modeShare)}; exits: ${shares(f.exitShare)} (early exit ${(f.earlyExitShare * 100).toFixed(1)} %)`,
    `energy ${f.energyPerWindowUj === null ? '- (reference engine: no energy)' : `${f.energyPerWindowUj.toFixed(3)} uJ/window, ${num(f.meanCycles, 0)} cycles`}, battery life ${f.batteryLifeDays === null ? '-' : `${f.batteryLifeDays.toFixed(1)} days`}`,
    `latency ingest->prediction p50 ${num(f.latencyMs.p50, 2)} ms, p99 ${num(f.latencyMs.p99, 2)} ms; windows dropped ${f.windowsDropped}, inference failed ${f.inferenceFailed}`,
    `ingest errors: ${counts(f.ingestErrors)}; stream events: ${counts(f.streamEvents)}`,
  ];
}

export function formatReportText(report: ReplayReport): string {
  const out: string[] = [];
  out.push(
    `replay of ${report.recordings.length} recording(s), ${(report.recordingS / 60).toFixed(1)} min of data in ${report.wallS.toFixed(1)} s (${report.speedup.toFixed(0)}x real time)`,
    `model ${report.model}, engine ${report.engine}, mode ${report.mode}, via ${report.via}, speed ${report.speed}; battery ${report.battery.chemistry} ${report.battery.capacityMah} mAh, baseline ${report.battery.baselineUw} uW`,
    '',
    'overall',
    ...figureLines(report.overall).map((l) => `  ${l}`),
    '',
  );
  out.push(
    formatTable(
      ['recording', 'windows', 'accuracy', 'macro F1', 'early exit', 'uJ/window', 'p50 ms', 'p99 ms', 'dropped', 'errors'],
      report.recordings.map((r) => [
        r.name,
        String(r.windows),
        r.labelled ? pct(r.accuracy) : 'unlabelled',
        num(r.macroF1, 4),
        `${(r.earlyExitShare * 100).toFixed(1)} %`,
        num(r.energyPerWindowUj, 3),
        num(r.latencyMs.p50, 2),
        num(r.latencyMs.p99, 2),
        String(r.windowsDropped),
        String(Object.values(r.ingestErrors).reduce((a, b) => a + b, 0)),
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ),
    '',
  );
  const o = report.overall;
  if (o.scoredWindows > 0) {
    out.push(formatTable(['class', 'precision', 'recall', 'F1', 'support'], o.perClass.map((c) => [c.class, c.precision.toFixed(4), c.recall.toFixed(4), c.f1.toFixed(4), String(c.support)]), new Set([1, 2, 3, 4])), '');
    out.push('confusion matrix (rows: true class, columns: predicted)');
    const tags = report.classes.map((_, i) => `c${i}`);
    out.push(formatTable(['true \\ pred', ...tags], o.confusion.map((row, i) => [`c${i} ${report.classes[i] ?? ''}`, ...row.map(String)]), new Set(tags.map((_, i) => i + 1))), '');
  }
  if (report.unsettledWindows > 0) out.push(`WARNING: ${report.unsettledWindows} window(s) were still outstanding when the replay ended`);
  if (report.flowStalls > 0) out.push(`WARNING: ${report.flowStalls} backpressure wait(s) gave up after 5 s without a result (the pipeline lost or held windows)`);
  if (Object.keys(report.unattributedErrors).length) out.push(`errors not charged to a replayed device: ${counts(report.unattributedErrors)}`);
  for (const s of report.skipped) out.push(`skipped ${s.source}: ${s.error}`);
  return out.join('\n').trimEnd();
}
