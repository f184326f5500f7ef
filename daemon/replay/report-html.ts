// The HTML report of a replay: one self-contained page (inline CSS and SVG, no scripts, no
// external assets): overall figures, the confusion matrix as a heat map, per-recording figures
// and a timeline of true vs predicted activity and of the operating modes.
import type { Figures, RecordingReport, ReplayReport } from './report.ts';

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#17becf', '#bcbd22', '#8c564b', '#e377c2', '#7f7f7f', '#1f77b4', '#aec7e8'];
const UNLABELLED = '#e8e8e8';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(2)} %`);
const num = (v: number | null, d: number): string => (v === null ? '–' : v.toFixed(d));

function colourOf(classes: readonly string[], name: string | null): string {
  if (name === null) return UNLABELLED;
  const i = classes.indexOf(name);
  return PALETTE[(i < 0 ? classes.length : i) % PALETTE.length]!;
}

function confusionSvg(classes: readonly string[], confusion: readonly (readonly number[])[]): string {
  const cell = 34;
  const label = 150;
  const size = label + cell * classes.length + 10;
  const max = Math.max(1, ...confusion.flat());
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="confusion" role="img" aria-label="confusion matrix" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`];
  classes.forEach((c, i) => {
    parts.push(`<text x="${label - 6}" y="${label + i * cell + cell / 2 + 4}" text-anchor="end" font-size="11">${escapeHtml(c)}</text>`);
    parts.push(`<text transform="translate(${label + i * cell + cell / 2 + 4},${label - 6}) rotate(-60)" font-size="11">${escapeHtml(c)}</text>`);
  });
  confusion.forEach((row, t) =>
    row.forEach((n, p) => {
      const alpha = n === 0 ? 0 : 0.15 + 0.85 * (n / max);
      const fill = t === p ? `rgba(46,125,50,${alpha.toFixed(3)})` : `rgba(198,40,40,${alpha.toFixed(3)})`;
      const x = label + p * cell;
      const y = label + t * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}" stroke="#ccc"><title>true ${escapeHtml(classes[t] ?? '')}, predicted ${escapeHtml(classes[p] ?? '')}: ${n}</title></rect>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="11">${n}</text>`);
    }),
  );
  parts.push('</svg>');
  return parts.join('');
}

function timelineSvg(classes: readonly string[], r: RecordingReport): string {
  const n = r.timeline.length;
  const width = 900;
  const lane = 18;
  const left = 80;
  const w = n ? (width - left) / n : 0;
  const modes = [...new Set(r.timeline.map((t) => t.mode))];
  const lanes: Array<[string, (t: RecordingReport['timeline'][number]) => string, (t: RecordingReport['timeline'][number]) => string]> = [
    ['true', (t) => colourOf(classes, t.truth), (t) => t.truth ?? 'unlabelled'],
    ['predicted', (t) => colourOf(classes, t.predicted), (t) => t.predicted],
    ['mode', (t) => PALETTE[(modes.indexOf(t.mode) + 5) % PALETTE.length]!, (t) => `${t.mode}, exit ${t.exitTaken}`],
  ];
  const height = lanes.length * (lane + 4) + 4;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" aria-label="timeline of ${escapeHtml(r.name)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`];
  lanes.forEach(([name, fill, title], k) => {
    const y = 2 + k * (lane + 4);
    parts.push(`<text x="0" y="${y + lane - 5}" font-size="11">${name}</text>`);
    // consecutive windows of one value are drawn as one rectangle
    let start = 0;
    for (let i = 1; i <= n; i++) {
      const a = r.timeline[start]!;
      if (i < n && fill(r.timeline[i]!) === fill(a) && title(r.timeline[i]!) === title(a)) continue;
      parts.push(`<rect x="${(left + start * w).toFixed(2)}" y="${y}" width="${Math.max(0.5, (i - start) * w).toFixed(2)}" height="${lane}" fill="${fill(a)}"><title>windows ${start}–${i - 1}: ${escapeHtml(title(a))}</title></rect>`);
      start = i;
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

function figuresTable(f: Figures): string {
  const rows: Array<[string, string]> = [
    ['windows (labelled)', `${f.windows} (${f.scoredWindows})`],
    ['accuracy', pct(f.accuracy)],
    ['macro F1', num(f.macroF1, 4)],
    ['operating modes', Object.entries(f.modeShare).map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`).join(', ') || '–'],
    ['exits', Object.entries(f.exitShare).map(([k, v]) => `exit ${k}: ${(v * 100).toFixed(1)} %`).join(', ') || '–'],
    ['early exits', `${(f.earlyExitShare * 100).toFixed(1)} %`],
    ['energy per window', f.energyPerWindowUj === null ? '– (reference engine)' : `${f.energyPerWindowUj.toFixed(3)} µJ (${num(f.meanCycles, 0)} cycles)`],
    ['projected battery life', f.batteryLifeDays === null ? '–' : `${f.batteryLifeDays.toFixed(1)} days`],
    ['latency p50 / p99', `${num(f.latencyMs.p50, 2)} / ${num(f.latencyMs.p99, 2)} ms`],
    ['windows dropped', String(f.windowsDropped)],
    ['ingest errors', Object.entries(f.ingestErrors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
    ['stream events', Object.entries(f.streamEvents).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
  ];
  return `<table class="figures">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function perClassTable(f: Figures): string {
  return `<table class="per-class"><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${f.perClass
    .map((c) => `<tr><td>${escapeHtml(c.class)}</td><td>${c.precision.toFixed(4)}</td><td>${c.recall.toFixed(4)}</td><td>${c.f1.toFixed(4)}</td><td>${c.support}</td></tr>`)
    .join('')}</table>`;
}

export function formatReportHtml(report: ReplayReport): string {
  const legend = report.classes.map((c) => `<span class="key"><i style="background:${colourOf(report.classes, c)}"></i>${escapeHtml(c)}</span>`).join(' ');
  const recordings = report.recordings
    .map(
      (r) => `<section class="recording"><h3>${escapeHtml(r.name)} <small>${escapeHtml(r.source)} · device ${escapeHtml(r.deviceId)} · ${(r.durationS / 60).toFixed(1)} min</small></h3>
<p>windows ${r.windows}, accuracy ${pct(r.accuracy)}, macro F1 ${num(r.macroF1, 4)}, early exit ${(r.earlyExitShare * 100).toFixed(1)} %, energy ${num(r.energyPerWindowUj, 3)} µJ/window, latency p50 ${num(r.latencyMs.p50, 2)} ms / p99 ${num(r.latencyMs.p99, 2)} ms, dropped ${r.windowsDropped}</p>
${timelineSvg(report.classes, r)}</section>`,
    )
    .join('\n');
  const skipped = report.skipped.length
    ? `<h2>Skipped sources</h2><ul class="skipped">${report.skipped.map((s) => `<li><code>${escapeHtml(s.source)}</code>: ${escapeHtml(s.error)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>har-gateway replay: ${escapeHtml(report.model)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
.per-class td:not(:first-child){text-align:right}
.key{display:inline-block;margin-right:1em}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
section.recording{margin:1.5em 0}small{color:#777;font-weight:normal}
</style></head><body>
<h1>Replay validation report</h1>
<p>model <b>${escapeHtml(report.model)}</b>, engine ${escapeHtml(report.engine)}, mode ${escapeHtml(report.mode)}, via ${escapeHtml(report.via)}, speed ${escapeHtml(report.speed)};
${report.recordings.length} recording(s), ${(report.recordingS / 60).toFixed(1)} min of data in ${report.wallS.toFixed(1)} s (${report.speedup.toFixed(0)}× real time);
battery ${escapeHtml(report.battery.chemistry)} ${report.battery.capacityMah} mAh, baseline ${report.battery.baselineUw} µW.</p>
<h2>Overall</h2>
${figuresTable(report.overall)}
<h2>Confusion matrix</h2><p>rows: true class, columns: predicted (windows labelled by the training protocol's rule)</p>
${confusionSvg(report.classes, report.overall.confusion)}
${perClassTable(report.overall)}
<h2>Recordings</h2><p>${legend} <span class="key"><i style="background:${UNLABELLED}"></i>unlabelled</span></p>
${recordings}
${skipped}
</body></html>
`;
}
