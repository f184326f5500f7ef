// Per-device ordering at the ingest (protocol/sample-batch.ts: `seq` is the index of the batch's
// first sample, uint32, wrapping at 2^32; a gap-free stream continues at seq + samples).
//
// - at or ahead of the expected seq: accepted (gaps are passed on; the pipeline fills or
//   restarts, it owns that policy);
// - overlapping (starts behind, ends ahead): accepted, the pipeline trims the overlap;
// - wholly behind: dropped, as `duplicate` when a recent accepted batch started at the same seq,
//   else as `reordered` (late: its place in the stream has passed);
// - far behind (>= SEQ_RESET_BEHIND_SAMPLES): a device whose counter started over (reboot):
//   accepted, and tracking starts over.
import { MAX_BATCH_SAMPLES } from '../../protocol/sample-batch.ts';

export type SequenceVerdict = 'accept' | 'duplicate' | 'reordered';

const UINT32_SPAN = 2 ** 32;
const HALF_UINT32 = 2 ** 31;

/** Same bound as the pipeline's sequence stage: eight maximal batches behind is a counter reset. */
export const SEQ_RESET_BEHIND_SAMPLES = 8 * MAX_BATCH_SAMPLES;

/** Start seqs of this many recent accepted batches are remembered to tell duplicates from late batches. */
export const RECENT_BATCHES = 64;

export class SequenceFilter {
  private nextSeq: number | null = null;
  private readonly recentStarts: number[] = [];

  check(seq: number, samples: number): SequenceVerdict {
    if (this.nextSeq === null) return this.accept(seq, samples, true);
    const ahead = (seq - this.nextSeq + UINT32_SPAN) % UINT32_SPAN;
    if (ahead < HALF_UINT32) return this.accept(seq, samples, false);
    const behind = UINT32_SPAN - ahead;
    if (behind >= SEQ_RESET_BEHIND_SAMPLES) return this.accept(seq, samples, true);
    if (behind < samples) return this.accept(seq, samples, false);
    return this.recentStarts.includes(seq) ? 'duplicate' : 'reordered';
  }

  private accept(seq: number, samples: number, restart: boolean): 'accept' {
    if (restart) this.recentStarts.length = 0;
    this.nextSeq = (seq + samples) % UINT32_SPAN;
    this.recentStarts.push(seq);
    if (this.recentStarts.length > RECENT_BATCHES) this.recentStarts.shift();
    return 'accept';
  }
}
