// MqttIngest (ARCHITECTURE.md "daemon parts"): turns `<base>/<deviceId>/imu` and
// `<base>/<deviceId>/battery` messages into SampleBatches and BatteryReports.
//
// Every message passes, in order: topic shape -> device limit -> size limit (before parsing) ->
// decode (protocol/decode.ts) -> value bounds (protocol/validate-batch.ts) -> per-device
// sequence order (sequence-filter.ts). A payload failing any step is counted under its device
// and kind (kinds.ts), logged once per device and kind, emitted on errors$ and dropped; nothing
// bad reaches batches$ and nothing is thrown into it.
import type { Logger } from 'pino';
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { IngestConfig } from '../config/schema.ts';
import type { MessageSource, InboundMessage } from '../mqtt/connection.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { decodeImuPayload } from '../../protocol/decode.ts';
import { validateBatch, type BatchLimits } from '../../protocol/validate-batch.ts';
import { decodeBatteryReport, type BatteryReport } from '../../protocol/battery-report.ts';
import { inboundFilters, parseInboundTopic } from '../../protocol/topics.ts';
import { IngestCounters, type IngestCountersSnapshot } from './counters.ts';
import { UNKNOWN_DEVICE, type IngestErrorKind } from './kinds.ts';
import { SequenceFilter } from './sequence-filter.ts';

export interface IngestErrorEvent {
  /** The device, or UNKNOWN_DEVICE ('?') when the topic names no valid one. */
  readonly deviceId: string;
  readonly kind: IngestErrorKind;
  readonly detail: string;
  /** The topic, cut to 200 characters. */
  readonly topic: string;
  readonly payloadBytes: number;
  readonly receivedAtMs: number;
  /** True for the first payload of this kind from this device (the one that was logged). */
  readonly first: boolean;
}

export interface ReceivedBatteryReport extends BatteryReport {
  readonly receivedAtMs: number;
}

export interface MqttIngestOptions {
  readonly source: MessageSource;
  readonly baseTopic: string;
  readonly config: IngestConfig;
  readonly logger: Logger;
}

const MAX_TOPIC_CHARS_KEPT = 200;

export class MqttIngest {
  private readonly options: MqttIngestOptions;
  private readonly limits: BatchLimits;
  private readonly batches = new Subject<SampleBatch>();
  private readonly batteries = new Subject<ReceivedBatteryReport>();
  private readonly errors = new Subject<IngestErrorEvent>();
  private readonly counts = new IngestCounters();
  private readonly sequences = new Map<string, SequenceFilter>();
  private subscription: Subscription | null = null;

  readonly batches$: Observable<SampleBatch> = this.batches.asObservable();
  readonly batteryReports$: Observable<ReceivedBatteryReport> = this.batteries.asObservable();
  readonly errors$: Observable<IngestErrorEvent> = this.errors.asObservable();

  constructor(options: MqttIngestOptions) {
    this.options = options;
    this.limits = { maxAbsAccG: options.config.maxAbsAccG, maxAbsGyroRadS: options.config.maxAbsGyroRadS };
  }

  /** Subscribes to the source's messages and registers the inbound topic filters (QoS 1). */
  start(): Promise<void> {
    if (this.subscription) return Promise.resolve();
    this.subscription = this.options.source.messages$.subscribe((m) => this.handle(m));
    this.options.source.addSubscriptions(inboundFilters(this.options.baseTopic));
    return Promise.resolve();
  }

  /** Stops consuming; completes batches$, batteryReports$ and errors$. */
  stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.batches.complete();
    this.batteries.complete();
    this.errors.complete();
    return Promise.resolve();
  }

  counters(): IngestCountersSnapshot {
    return this.counts.snapshot();
  }

  /** One inbound message (public for other transports and tests; never throws). */
  handle(message: InboundMessage): void {
    const { topic, payload, receivedAtMs } = message;
    const parsed = parseInboundTopic(this.options.baseTopic, topic);
    if (!parsed.ok) return this.drop(UNKNOWN_DEVICE, 'bad-topic', parsed.reason, message);
    const { deviceId, kind } = parsed;
    if (!this.counts.has(deviceId) && this.counts.deviceCount >= this.options.config.maxDevices) {
      return this.drop(UNKNOWN_DEVICE, 'too-many-devices', `device ${deviceId} beyond ingest.maxDevices (${this.options.config.maxDevices})`, message);
    }
    if (payload.length > this.options.config.maxPayloadBytes) {
      return this.drop(deviceId, 'oversized', `${payload.length} bytes > ingest.maxPayloadBytes ${this.options.config.maxPayloadBytes}`, message);
    }
    if (kind === 'battery') {
      const result = decodeBatteryReport(deviceId, payload);
      if (!result.ok) return this.drop(deviceId, result.kind, result.detail, message);
      this.counts.battery(deviceId);
      this.batteries.next({ ...result.report, receivedAtMs });
      return;
    }
    const decoded = decodeImuPayload(deviceId, payload);
    if (!decoded.ok) return this.drop(deviceId, decoded.kind, decoded.detail, message);
    const batch = decoded.batch;
    const invalid = validateBatch(batch, this.limits);
    if (invalid) return this.drop(deviceId, invalid.kind, invalid.detail, message);
    const verdict = this.sequenceOf(deviceId).check(batch.seq, batch.samples);
    if (verdict !== 'accept') return this.drop(deviceId, verdict, `seq ${batch.seq} (+${batch.samples}) is behind the stream`, message);
    this.counts.batch(deviceId, batch.samples);
    this.batches.next(batch);
  }

  private sequenceOf(deviceId: string): SequenceFilter {
    let filter = this.sequences.get(deviceId);
    if (!filter) {
      filter = new SequenceFilter();
      this.sequences.set(deviceId, filter);
    }
    return filter;
  }

  private drop(deviceId: string, kind: IngestErrorKind, detail: string, message: InboundMessage): void {
    const first = this.counts.error(deviceId, kind);
    const topic = message.topic.slice(0, MAX_TOPIC_CHARS_KEPT);
    if (first) {
      this.options.logger.warn({ deviceId, kind, detail, topic }, 'dropped a bad payload (further ones of this kind from this device are only counted)');
    }
    this.errors.next({ deviceId, kind, detail, topic, payloadBytes: message.payload.length, receivedAtMs: message.receivedAtMs, first });
  }
}
