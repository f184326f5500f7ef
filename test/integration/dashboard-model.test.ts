// The dashboard's browser modules that need no DOM (state.js, format.js, connection.js), run in
// node: the envelope reducer, the formatting of projections, and the reconnect backoff against a
// fake WebSocket and fake timers.
import { describe, expect, it } from 'vitest';
import { TIMELINE_WINDOWS, applyHealth, applyMessage, createState, takeChanges, total, updateQuiet } from '../../daemon/api/dashboard/state.js';
import { endVsTarget, formatCount, formatDuration, formatInstant, formatThreshold, timeToEmpty } from '../../daemon/api/dashboard/format.js';
import { RECONNECT_MAX_MS, RECONNECT_MIN_MS, backoffMs, connect, socketUrl, type ConnectionStatus, type SocketLike } from '../../daemon/api/dashboard/connection.js';
import type { PredictionEnvelope } from '../../daemon/api/envelopes.ts';
import type { BatteryEnvelope, ModeEnvelope } from '../../daemon/budget/messages.ts';

function prediction(deviceId: string, windowSeq: number, className = 'WALKING', classIndex = 0): PredictionEnvelope {
  return {
    type: 'prediction', deviceId, modelId: 'm', windowSeq, segment: 0, startSample: windowSeq * 64, t0Ms: 0, classIndex, className,
    scores: [9, 2], margin: 7, threshold: 5, exitTaken: windowSeq % 2, macs: 100, cycles: 1000, energyUj: 3.5, latencyUs: 270, computeUs: 40, ingestToPredictionMs: 2,
  };
}

const HOUR_MS = 3_600_000;

function battery(deviceId: string): BatteryEnvelope {
  const atMs = 1_000_000;
  return {
    type: 'battery', deviceId, atMs, chargePct: 62.5, chargeSigmaPct: 1.5, usableRemainingUj: 5e9,
    lastReport: { kind: 'percent', atMs, chargePct: 63 }, rejectedReports: {},
    projection: {
      currentModeIndex: 1, currentModeEmptyAtMs: atMs + 30 * HOUR_MS, plannedEmptyAtMs: atMs + 40 * HOUR_MS, plannedMix: null,
      recentPowerUw: 120, recentEmptyAtMs: null, targetEndMs: atMs + 36 * HOUR_MS, targetPowerUw: 100,
      modes: [
        { index: 0, threshold: 0, accuracy: 0.8, energyUj: 3, powerUw: 90, emptyAtMs: atMs + 40 * HOUR_MS, meetsTarget: true },
        { index: 1, threshold: 9, accuracy: 0.9, energyUj: 8, powerUw: 130, emptyAtMs: atMs + 30 * HOUR_MS, meetsTarget: false },
      ],
    },
  };
}

function mode(deviceId: string): ModeEnvelope {
  return {
    type: 'mode', deviceId, atMs: 1_000_000, modeIndex: 0, threshold: 0, accuracy: 0.8, previousModeIndex: 1, status: 'feasible', trigger: 'report',
    held: false, budgetPerWindowUj: 4, modeEnergyUj: 3, shortfallPerWindowUj: null, reason: 'the most accurate mode within budget',
  };
}

const send = (state: ReturnType<typeof createState>, e: unknown): boolean => applyMessage(state, JSON.stringify(e));

describe('dashboard state (state.js)', () => {
  it('builds devices from the snapshot, then applies predictions with a capped timeline', () => {
    const state = createState();
    expect(send(state, { type: 'snapshot', modelId: 'hapt6', classes: ['WALKING', 'SITTING'], devices: [{ deviceId: 'a', windows: 3, lastPrediction: prediction('a', 2), errors: { gap: 1 }, battery: null, mode: null }], counters: { predictions: 3 } })).toBe(true);
    expect(state.modelId).toBe('hapt6');
    expect(state.devices.get('a')).toMatchObject({ windows: 3, errors: { gap: 1 } });
    expect(state.devices.get('a')?.timeline.map((w) => w.windowSeq)).toEqual([2]);
    takeChanges(state);

    for (let seq = 3; seq < 3 + TIMELINE_WINDOWS + 10; seq++) send(state, prediction('a', seq, seq % 2 ? 'SITTING' : 'WALKING', seq % 2));
    send(state, prediction('b', 0));
    const a = state.devices.get('a');
    expect(a?.windows).toBe(3 + TIMELINE_WINDOWS + 10);
    expect(a?.timeline).toHaveLength(TIMELINE_WINDOWS);
    expect(a?.timeline.at(-1)).toMatchObject({ windowSeq: 2 + TIMELINE_WINDOWS + 10, className: (2 + TIMELINE_WINDOWS + 10) % 2 ? 'SITTING' : 'WALKING' });
    expect([...state.devices.keys()]).toEqual(['a', 'b']);
    expect(takeChanges(state)).toEqual({ devices: ['a', 'b'], status: true, reset: false });
    expect(takeChanges(state)).toEqual({ devices: [], status: false, reset: false });
  });

  it('keeps battery and mode messages per device and counts errors by kind', () => {
    const state = createState();
    expect(send(state, battery('w1'))).toBe(true);
    expect(send(state, mode('w1'))).toBe(true);
    expect(send(state, { type: 'error', deviceId: 'w1', kind: 'seqGap', detail: 'expected 4 got 9', count: 2 })).toBe(true);
    const d = state.devices.get('w1');
    expect(d?.battery).toMatchObject({ chargePct: 62.5 });
    expect(d?.mode).toMatchObject({ status: 'feasible', modeIndex: 0 });
    expect(d?.errors).toEqual({ seqGap: 2 });
    expect(d?.lastErrorDetail).toBe('seqGap: expected 4 got 9');
    expect(state.received).toEqual({ battery: 1, mode: 1, error: 1 });
  });

  it('counts what it cannot use and never throws', () => {
    const state = createState();
    expect(applyMessage(state, 'not json {')).toBe(false);
    expect(send(state, [1, 2])).toBe(false);
    expect(send(state, { type: 'future-kind' })).toBe(false);
    expect(send(state, { type: '__proto__' })).toBe(false);
    expect(send(state, { type: 'prediction', deviceId: 'x' })).toBe(false);
    expect(send(state, { type: 'battery', deviceId: 'x', chargePct: 'full' })).toBe(false);
    expect(send(state, { type: 'snapshot', devices: 'none' })).toBe(false);
    expect(total(state.dropped)).toBe(7);
    expect(state.dropped['unknown type future-kind']).toBe(1);
    expect(state.devices.size).toBe(0);
  });

  it('a snapshot after a daemon restart drops the devices it no longer knows', () => {
    const state = createState();
    send(state, prediction('gone', 0));
    send(state, prediction('kept', 5));
    send(state, { type: 'snapshot', modelId: 'm', classes: [], devices: [{ deviceId: 'kept', windows: 6, lastPrediction: prediction('kept', 5), errors: {}, battery: null, mode: null }], counters: {} });
    expect([...state.devices.keys()]).toEqual(['kept']);
    // the same run of windows: the timeline seen before the reconnect stays, without a duplicate
    expect(state.devices.get('kept')?.timeline.map((w) => w.windowSeq)).toEqual([5]);
    expect(takeChanges(state).reset).toBe(true);
  });

  it('marks a device quiet when no window arrived for a while, and clears it on the next one', () => {
    const state = createState();
    applyMessage(state, JSON.stringify(prediction('a', 0)), 1_000);
    applyMessage(state, JSON.stringify(prediction('b', 0)), 20_000);
    takeChanges(state);
    expect(updateQuiet(state, 31_500, 30_000)).toEqual(['a']);
    expect(takeChanges(state).devices).toEqual(['a']);
    expect(updateQuiet(state, 32_000, 30_000)).toEqual([]); // unchanged: nothing to redraw
    applyMessage(state, JSON.stringify(prediction('a', 1)), 33_000);
    expect(updateQuiet(state, 33_000, 30_000)).toEqual(['a']);
    expect(state.devices.get('a')?.quiet).toBe(false);
  });

  it('stores /health bodies and forgets a failed one', () => {
    const state = createState();
    applyHealth(state, { mqtt: 'online' });
    expect(state.health).toEqual({ mqtt: 'online' });
    applyHealth(state, null);
    expect(state.health).toBeNull();
  });
});

describe('dashboard formatting (format.js)', () => {
  it('formats durations, times to empty and instants', () => {
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(5 * HOUR_MS + 12 * 60_000)).toBe('5 h 12 min');
    expect(formatDuration(76 * HOUR_MS)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-5)).toBe('now');
    expect(timeToEmpty(1000, 1000 + 30 * HOUR_MS)).toBe('30 h 0 min');
    expect(timeToEmpty(1000, null)).toBe('—');
    expect(formatInstant(Date.UTC(2026, 10, 24, 15, 30, 59))).toBe('2026-11-24 15:30Z');
    expect(formatCount(1234567)).toBe('1\u202f234\u202f567');
    expect(formatThreshold(0xffff_ffff)).toBe('full');
    expect(formatThreshold(120)).toBe('120');
    expect(endVsTarget(10 * HOUR_MS, 10 * HOUR_MS + 30_000)).toBe('on target');
    expect(endVsTarget(40 * HOUR_MS, 10 * HOUR_MS)).toBe('30 h 0 min after the target');
    expect(endVsTarget(10 * HOUR_MS, 40 * HOUR_MS)).toBe('30 h 0 min before the target');
    expect(endVsTarget(null, 40 * HOUR_MS)).toBe('—');
  });
});

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }
  close(): void {
    this.closed = true;
    this.onclose?.();
  }
}

describe('dashboard connection (connection.js)', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, () => 0)).toBe(RECONNECT_MIN_MS);
    expect(backoffMs(3, () => 0)).toBe(RECONNECT_MIN_MS * 8);
    expect(backoffMs(3, () => 1)).toBe(RECONNECT_MIN_MS * 6);
    expect(backoffMs(60, () => 0)).toBe(RECONNECT_MAX_MS);
    expect(socketUrl({ protocol: 'https:', host: 'pi.local:8765' })).toBe('wss://pi.local:8765/ws');
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8765' })).toBe('ws://127.0.0.1:8765/ws');
  });

  it('reconnects after a close, resets the backoff once open, and stops on close()', () => {
    FakeSocket.all = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const statuses: ConnectionStatus[] = [];
    const messages: string[] = [];
    const handle = connect('ws://h/ws', {
      onMessage: (t) => messages.push(t),
      onStatus: (s) => statuses.push(s),
      WebSocketImpl: FakeSocket,
      setTimer: (fn, ms) => timers.push({ fn, ms }),
      clearTimer: () => undefined,
    });
    const first = FakeSocket.all[0];
    first?.onopen?.();
    first?.onmessage?.({ data: '{"type":"stats"}' });
    first?.onmessage?.({ data: new ArrayBuffer(2) }); // binary: not ours, ignored
    expect(messages).toEqual(['{"type":"stats"}']);
    first?.onclose?.(); // daemon restarted
    expect(statuses.at(-1)).toMatchObject({ state: 'closed', attempt: 1 });
    expect(timers).toHaveLength(1);
    timers[0]?.fn();
    FakeSocket.all[1]?.onclose?.(); // still down: a longer wait
    expect(timers[1]?.ms ?? 0).toBeGreaterThan(timers[0]?.ms ?? 0);
    timers[1]?.fn();
    FakeSocket.all[2]?.onopen?.();
    expect(statuses.at(-1)).toEqual({ state: 'open', attempt: 0, retryInMs: null });
    handle.close();
    expect(FakeSocket.all[2]?.closed).toBe(true);
    expect(timers).toHaveLength(2); // no retry after close()
  });
});
