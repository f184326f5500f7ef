import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../../daemon/mqtt/backoff.ts';

describe('Backoff', () => {
  it('doubles up to the cap and starts over after reset', () => {
    const b = new Backoff(250, 2000);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    b.reset();
    expect(b.peek()).toBe(250);
    expect(b.next()).toBe(250);
  });
});
