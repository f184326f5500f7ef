import { describe, expect, it } from 'vitest';
import { IngestCounters } from '../../../../daemon/ingest/counters.ts';

describe('IngestCounters', () => {
  it('counts per device and kind and reports the first of each kind', () => {
    const c = new IngestCounters();
    c.batch('a', 25);
    c.batch('a', 25);
    expect(c.error('a', 'truncated')).toBe(true);
    expect(c.error('a', 'truncated')).toBe(false);
    expect(c.error('b', 'truncated')).toBe(true);
    expect(c.error('a', 'bad-rate')).toBe(true);
    c.battery('b');
    const s = c.snapshot();
    expect(s).toMatchObject({ batches: 2, samples: 50, batteryReports: 1, dropped: 4, errorsByKind: { truncated: 3, 'bad-rate': 1 } });
    expect(s.devices.a).toEqual({ batches: 2, samples: 50, batteryReports: 0, errors: { truncated: 2, 'bad-rate': 1 } });
    expect(c.deviceCount).toBe(2);
  });

  it('returns snapshots that later counts do not change', () => {
    const c = new IngestCounters();
    c.error('a', 'empty');
    const before = c.snapshot();
    c.error('a', 'empty');
    expect(before.devices.a?.errors.empty).toBe(1);
  });
});
