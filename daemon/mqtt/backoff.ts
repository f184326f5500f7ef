// Reconnection delays: doubling from initialDelayMs, capped at maxDelayMs, back to the start
// after a successful connection. Pure; the connection applies it to mqtt.js's reconnectPeriod.
export class Backoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private nextMs: number;

  constructor(initialDelayMs: number, maxDelayMs: number) {
    this.initialDelayMs = initialDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.nextMs = initialDelayMs;
  }

  /** The delay to wait now; the following one doubles (up to the cap). */
  next(): number {
    const delay = this.nextMs;
    this.nextMs = Math.min(this.maxDelayMs, this.nextMs * 2);
    return delay;
  }

  /** The delay that next() would return, without advancing. */
  peek(): number {
    return this.nextMs;
  }

  reset(): void {
    this.nextMs = this.initialDelayMs;
  }
}
