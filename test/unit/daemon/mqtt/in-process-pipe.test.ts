import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createInProcessPipe } from '../../../../daemon/mqtt/in-process-pipe.ts';

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return once(stream, 'end').then(() => Buffer.concat(chunks));
}

describe('createInProcessPipe', () => {
  it('carries bytes both ways and ends the reader when the writer ends', async () => {
    const [a, b] = createInProcessPipe();
    const atB = collect(b);
    const atA = collect(a);
    a.write('hello ');
    a.end('broker');
    b.end(Buffer.from([1, 2, 3]));
    expect((await atB).toString()).toBe('hello broker');
    expect([...(await atA)]).toEqual([1, 2, 3]);
  });

  it('destroying one end closes the other', async () => {
    const [a, b] = createInProcessPipe();
    const closed = once(b, 'close');
    a.destroy();
    await closed;
    expect(b.destroyed).toBe(true);
  });

  it('a write after the pipe closed reports an error to the writer', async () => {
    const [a, b] = createInProcessPipe();
    b.destroy();
    await once(a, 'close');
    const error = await new Promise<Error | null | undefined>((resolve) => a.write('x', resolve));
    expect(error).toBeInstanceOf(Error);
  });

  it('holds the writer back while the reader is not reading (backpressure), and resumes it', async () => {
    const [a, b] = createInProcessPipe();
    b.pause();
    const chunk = Buffer.alloc(64 * 1024);
    let accepted = 0;
    while (a.write(chunk)) accepted++;
    expect(accepted).toBeLessThan(10); // the reader's buffer filled, the writer was told to wait
    const drained = once(a, 'drain');
    let read = 0;
    b.on('data', (c: Buffer) => (read += c.length));
    b.resume();
    await drained;
    a.end();
    await once(b, 'end');
    expect(read).toBe((accepted + 1) * chunk.length);
  });
});
