// A network small enough to compute by hand (the expectations are in the tests that use it).
//   window: 4 samples x 2 channels
//   layer 0 conv1d k=2, 1 output channel, 8-bit weights w[0][k][c] = [[1, -1], [2, 0]], bias 0, M=1, S=0, u8 out
//   layer 1 globalavgpool
//   layer 2 linear 1 -> 2, 8-bit weights [[1], [-1]], bias [0, 10], M=1, S=0, s16 out (scores)
import type { ArtifactSpec } from '../../../../models/format/write.ts';
import { testMetadata } from './fixtures.ts';

export const TINY_WINDOW = Int8Array.from([1, 2, 3, -4, -5, 6, 7, 8]);

export function tinySpec(): ArtifactSpec {
  return {
    inChannels: 2,
    windowSamples: 4,
    classCount: 2,
    stages: [
      {
        backbone: [{ kind: 'conv1d', kernel: 2, outCh: 1, weightBits: 8, outBits: 8, weights: [1, -1, 2, 0], bias: [0], mul: [1], shift: [0] }],
        head: [
          { kind: 'globalavgpool' },
          { kind: 'linear', outCh: 2, weightBits: 8, outBits: 16, weights: [1, -1], bias: [0, 10], mul: [1, 1], shift: [0, 0] },
        ],
      },
    ],
    metadata: testMetadata({ id: 'tiny', classCount: 2, inChannels: 2, windowSamples: 4 }),
  };
}
