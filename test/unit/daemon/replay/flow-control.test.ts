import { describe, expect, it } from 'vitest';
import { FlowControl, windowsOf } from '../../../../daemon/replay/flow-control.ts';

describe('FlowControl', () => {
  it('counts windows by sample count per segment, restarting past the gap fill limit', () => {
    expect(windowsOf(127, 128, 64)).toBe(0);
    expect(windowsOf(128, 128, 64)).toBe(1);
    expect(windowsOf(1000, 128, 64)).toBe(14);
    const flow = new FlowControl({ windowSamples: 128, strideSamples: 64, maxOutstandingWindows: 4, maxGapFillSamples: 8 });
    flow.pushed('d', 0, 200);
    expect(flow.outstanding('d')).toBe(2);
    flow.pushed('d', 205, 50); // gap 5: filled, same segment (255 samples)
    expect(flow.outstanding('d')).toBe(2);
    flow.pushed('d', 300, 128); // gap 45: a new segment of 128 samples
    expect(flow.outstanding('d')).toBe(3);
    flow.pushed('d', 428, 200, 0.5); // at half the model rate: +100 model samples (228: 2 windows)
    expect(flow.outstanding('d')).toBe(4);
    flow.settled('d');
    expect(flow.outstanding('d')).toBe(3);
  });

  it('ready() waits for settled windows instead of sleeping, and gives up after a stall', async () => {
    const flow = new FlowControl({ windowSamples: 10, strideSamples: 10, maxOutstandingWindows: 2, maxGapFillSamples: 0, stallTimeoutMs: 50 });
    flow.pushed('d', 0, 30);
    let ready = false;
    const waiting = flow.ready('d').then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(ready).toBe(false);
    flow.settled('d');
    flow.settled('d');
    await waiting;
    expect(ready).toBe(true);
    expect(flow.stalls()).toBe(0);
    flow.pushed('d', 30, 50);
    await flow.ready('d'); // nothing settles: goes on after 50 ms, counted
    expect(flow.stalls()).toBe(1);
  });
});
