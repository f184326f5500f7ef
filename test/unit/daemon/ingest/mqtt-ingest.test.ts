// MqttIngest with a fake message source (no broker): subscriptions, routing, stop, and a fuzz
// run showing that no payload, however mangled, throws or reaches batches$ unvalidated.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { MqttIngest, type IngestErrorEvent } from '../../../../daemon/ingest/mqtt-ingest.ts';
import type { InboundMessage, MessageSource } from '../../../../daemon/mqtt/connection.ts';
import { INGEST_ERROR_KINDS } from '../../../../daemon/ingest/kinds.ts';
import { validateConfig } from '../../../../daemon/config/load.ts';
import type { SampleBatch } from '../../../../protocol/sample-batch.ts';
import { validateBatch } from '../../../../protocol/validate-batch.ts';
import { encodeBinaryBatch } from '../../../../protocol/binary-batch.ts';
import { encodeJsonBatch } from '../../../../protocol/json-batch.ts';
import { makeBatch } from '../../protocol/make-batch.ts';

class FakeSource implements MessageSource {
  readonly subject = new Subject<InboundMessage>();
  readonly messages$ = this.subject.asObservable();
  readonly filters: string[] = [];
  addSubscriptions(filters: readonly string[]): void {
    this.filters.push(...filters);
  }
  send(topic: string, payload: Uint8Array | string): void {
    this.subject.next({ topic, payload: Buffer.from(payload), receivedAtMs: 42 });
  }
}

function setup(baseTopic = 'har') {
  const source = new FakeSource();
  const config = validateConfig({}).ingest;
  const ingest = new MqttIngest({ source, baseTopic, config, logger: pino({ level: 'silent' }) });
  const batches: SampleBatch[] = [];
  const errors: IngestErrorEvent[] = [];
  ingest.batches$.subscribe((b) => batches.push(b));
  ingest.errors$.subscribe((e) => errors.push(e));
  return { source, ingest, batches, errors };
}

describe('MqttIngest', () => {
  it('registers the inbound filters under a multi-level base topic and routes by device', async () => {
    const { source, ingest, batches } = setup('site/a');
    await ingest.start();
    expect(source.filters).toEqual(['site/a/+/imu', 'site/a/+/battery']);
    source.send('site/a/w1/imu', encodeBinaryBatch(makeBatch({ seq: 0 })));
    source.send('site/a/w2/imu', encodeJsonBatch(makeBatch({ seq: 100 })));
    expect(batches.map((b) => [b.deviceId, b.seq])).toEqual([
      ['w1', 0],
      ['w2', 100],
    ]);
    await ingest.stop();
  });

  it('marks only the first error of a kind per device as first', async () => {
    const { source, ingest, errors } = setup();
    await ingest.start();
    source.send('har/a/imu', '');
    source.send('har/a/imu', '');
    source.send('har/b/imu', '');
    source.send('har/a/imu', 'x');
    expect(errors.map((e) => [e.deviceId, e.kind, e.first, e.receivedAtMs])).toEqual([
      ['a', 'empty', true, 42],
      ['a', 'empty', false, 42],
      ['b', 'empty', true, 42],
      ['a', 'unknown-format', true, 42],
    ]);
    await ingest.stop();
  });

  it('stops consuming and completes its streams on stop()', async () => {
    const { source, ingest, batches } = setup();
    let completed = 0;
    ingest.batches$.subscribe({ complete: () => completed++ });
    ingest.errors$.subscribe({ complete: () => completed++ });
    ingest.batteryReports$.subscribe({ complete: () => completed++ });
    await ingest.start();
    await ingest.stop();
    expect(completed).toBe(3);
    source.send('har/w1/imu', encodeBinaryBatch(makeBatch()));
    expect(batches).toHaveLength(0);
    expect(source.subject.observed).toBe(false);
  });

  it('survives 5,000 mangled payloads: nothing throws, every drop has a listed kind, every batch is valid', async () => {
    const { source, ingest, batches, errors } = setup();
    await ingest.start();
    let state = 12345;
    const rand = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const seeds = [encodeBinaryBatch(makeBatch({ samples: 10 })), encodeJsonBatch(makeBatch({ samples: 3 }))];
    const sent = 5_000;
    for (let i = 0; i < sent; i++) {
      const base = (seeds[i % 2] as Uint8Array).slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) base[Math.floor(rand() * base.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.2 ? base.subarray(0, Math.floor(rand() * base.length)) : base;
      expect(() => source.send(`har/fz${i % 7}/imu`, cut)).not.toThrow();
    }
    expect(batches.length + errors.length).toBe(sent);
    expect(errors.every((e) => (INGEST_ERROR_KINDS as readonly string[]).includes(e.kind))).toBe(true);
    expect(batches.every((b) => validateBatch(b) === null)).toBe(true);
    expect(ingest.counters().dropped).toBe(errors.length);
    await ingest.stop();
  });
});
