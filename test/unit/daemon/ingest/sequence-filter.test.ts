import { describe, expect, it } from 'vitest';
import { SequenceFilter, SEQ_RESET_BEHIND_SAMPLES, RECENT_BATCHES } from '../../../../daemon/ingest/sequence-filter.ts';

describe('SequenceFilter', () => {
  it('accepts a contiguous stream and passes gaps on', () => {
    const f = new SequenceFilter();
    expect([f.check(1000, 25), f.check(1025, 25), f.check(1100, 25), f.check(1125, 25)]).toEqual(['accept', 'accept', 'accept', 'accept']);
  });

  it('drops an exact repeat as duplicate and an older batch as reordered', () => {
    const f = new SequenceFilter();
    f.check(0, 25);
    f.check(50, 25); // batch 25 is missing for now
    expect(f.check(50, 25)).toBe('duplicate');
    expect(f.check(0, 25)).toBe('duplicate');
    expect(f.check(25, 25)).toBe('reordered'); // arrives after 50: its place has passed
  });

  it('accepts a partial overlap (new samples after old ones)', () => {
    const f = new SequenceFilter();
    f.check(0, 25);
    expect(f.check(20, 25)).toBe('accept');
    expect(f.check(45, 25)).toBe('accept');
  });

  it('follows the uint32 wrap', () => {
    const f = new SequenceFilter();
    expect(f.check(2 ** 32 - 10, 25)).toBe('accept');
    expect(f.check(15, 25)).toBe('accept');
    expect(f.check(2 ** 32 - 10, 25)).toBe('duplicate');
  });

  it('treats a counter far behind as a device restart and starts over', () => {
    const f = new SequenceFilter();
    f.check(1_000_000, 25);
    expect(f.check(0, 25)).toBe('accept');
    expect(f.check(25, 25)).toBe('accept');
    expect(f.check(1_000_000 - SEQ_RESET_BEHIND_SAMPLES + 1, 25)).toBe('accept'); // ahead of 50 now
  });

  it('calls a wholly-seen batch reordered once its start is no longer remembered', () => {
    const f = new SequenceFilter();
    for (let i = 0; i <= RECENT_BATCHES; i++) f.check(i * 10, 10);
    expect(f.check(0, 10)).toBe('reordered');
    expect(f.check(RECENT_BATCHES * 10, 10)).toBe('duplicate');
  });
});
