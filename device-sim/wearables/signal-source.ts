// A continuous six-axis signal a simulated wearable streams: sample i of the device's stream,
// accelerometer in g and gyroscope in rad/s (protocol/sample-batch.ts units). Sources loop, so a
// device can stream for as long as the simulation runs.
export interface SignalSource {
  /** Where the samples come from, for logs: `hapt exp 12 user 6` or `synthetic seed 3`. */
  readonly description: string;
  readonly rateHz: number;
  /**
   * Writes samples [first, first + count) into acc and gyro (interleaved x, y, z; length
   * 3 * count each). `first` may exceed the source's length: sources loop.
   */
  read(first: number, count: number, acc: Float64Array, gyro: Float64Array): void;
  /** Name of the activity at sample i (ground truth for demos and tests), or null if unlabelled. */
  activityAt(i: number): string | null;
}
