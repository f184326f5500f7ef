// An in-memory duplex pair: what one end writes, the other end reads (and end/destroy travel
// across). The gateway's own MQTT client reaches the embedded broker through one instead of a
// loopback TCP socket: the same MQTT 3.1.1 session (persistent, QoS 1, acknowledgements), without
// two socket writes and two socket reads per message in the daemon's main thread.
// (Node 22 has stream.duplexPair; Node 20, which we support, does not.)
import { Duplex } from 'node:stream';

class PipeEnd extends Duplex {
  peer: PipeEnd | null = null;
  /** The write callback held back until this end's reader wants more (backpressure). */
  private resumeWriter: (() => void) | null = null;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) {
      callback(new Error('in-process pipe: the other end is closed'));
      return;
    }
    if (peer.push(chunk)) callback();
    else peer.resumeWriter = () => callback();
  }

  override _read(): void {
    const resume = this.resumeWriter;
    this.resumeWriter = null;
    resume?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = null;
    if (peer) {
      peer.peer = null;
      peer.destroy();
    }
    callback(error);
  }
}

/** Two connected ends: bytes written to one are read from the other. */
export function createInProcessPipe(): [Duplex, Duplex] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
