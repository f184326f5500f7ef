// The progress line of `har-gateway replay` on a terminal (stderr): a bar over the recording
// time sent, the windows answered and the ETA from the elapsed time (\r-rewritten).
import type { ReplayProgress } from './runner.ts';

export function formatEta(etaS: number): string {
  if (!Number.isFinite(etaS)) return 'ETA -';
  return `ETA ${etaS >= 60 ? `${Math.floor(etaS / 60)}m${String(Math.round(etaS % 60)).padStart(2, '0')}s` : `${etaS.toFixed(0)}s`}`;
}

export function progressBar(p: ReplayProgress): string {
  const width = 30;
  const done = p.totalS > 0 ? Math.min(1, p.sentS / p.totalS) : 0;
  const filled = Math.round(done * width);
  const etaS = done > 0 ? ((p.elapsedMs / 1000) * (1 - done)) / done : NaN;
  const eta = formatEta(etaS);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(done * 100).toFixed(1)}%  ${p.windows} windows  ${eta} `;
}
