import { describe, expect, it } from 'vitest';
import { formatEta, progressBar } from '../../../../daemon/replay/progress.ts';

describe('replay progress line', () => {
  it('shows the share sent, windows and the ETA from the elapsed time', () => {
    expect(progressBar({ sentS: 50, totalS: 200, windows: 12, elapsedMs: 10_000 })).toBe(`\r[${'#'.repeat(8)}${'.'.repeat(22)}] 25.0%  12 windows  ETA 30s `);
    expect(progressBar({ sentS: 0, totalS: 200, windows: 0, elapsedMs: 5 })).toContain("0.0%  0 windows  ETA -");
    expect(progressBar({ sentS: 300, totalS: 200, windows: 9, elapsedMs: 5 })).toMatch(/\[#{30}\] 100\.0%.*ETA 0s/);
    expect(formatEta(125)).toBe('ETA 2m05s');
  });
});
