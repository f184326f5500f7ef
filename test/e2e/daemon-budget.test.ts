// End to end: the real CLI (`har-gateway start --config <tmp>`) with the zoo's default model
// (its measured mode table), the default engine (mcu: the emulated twin) and a `budget` section.
// Generated signals over MQTT; the modes decided per device must be the thresholds its windows
// ran at, published over the WebSocket, retained on MQTT and kept in SQLite after SIGTERM.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Envelope, ModeEnvelope, PredictionEnvelope } from '../../daemon/api/envelopes.ts';
import { mqttModePayloadSchema } from '../../daemon/budget/messages.ts';
import { encodeJsonBatch } from '../../protocol/json-batch.ts';
import { batchesOf, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const FULL = 0xffff_ffff;
const WINDOW_PERIOD_S = 64 / 50; // the default model: 128-sample windows, stride 64, 50 Hz
const BASELINE_UW = 15;
const DEVICES = ['coin-rich', 'coin-poor', 'no-budget'] as const;

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startDaemon(configYaml: string): Promise<{ child: ChildProcess; mqttUrl: string; wsUrl: string; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'har-e2e-budget-'));
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, [`gateway: { dataDir: ${JSON.stringify(dataDir)}, logLevel: info }`, 'mqtt: { embedded: { host: 127.0.0.1, port: 0 } }', 'websocket: { port: 0, statsIntervalMs: 0 }', 'store: { flushIntervalMs: 50 }', configYaml].join('\n'));
  const child = spawn(process.execPath, ['bin/har-gateway.js', 'start', '--config', configFile], { cwd: REPO_ROOT, env: { ...process.env, HAR_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let pending = '';
  const record = await new Promise<Record<string, unknown>>((resolveStarted, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const r = JSON.parse(line) as Record<string, unknown>;
          if (r.msg === 'gateway started') resolveStarted(r);
        } catch {
          // not a JSON log line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`daemon exited (${code}) before it started: ${stderr}`)));
    setTimeout(() => reject(new Error(`daemon did not start within 30 s: ${stderr}`)), 30_000).unref();
  });
  return { child, mqttUrl: String(record.mqtt), wsUrl: String(record.websocket), dataDir };
}

describe('daemon with battery budgets (spawned CLI, zoo default model, mcu engine)', () => {
  it('runs each budgeted device at its decided mode, the others at model.threshold; WS, retained MQTT and SQLite agree', async () => {
    // coin-rich: 100 µJ a window for the CNN (every mode fits: the most accurate one runs);
    // coin-poor: 1 µJ a window (less than the cheapest mode: infeasible, mode 0)
    const power = (cnnUj: number) => BASELINE_UW + cnnUj / WINDOW_PERIOD_S;
    const daemon = await startDaemon(
      [
        'budget:',
        '  classes:',
        `    coin: { battery: { chemistry: cr2032, capacityMah: 220, baselineUw: ${BASELINE_UW} }, target: { durationDays: 365 } }`,
        '  devices:',
        `    coin-rich: { class: coin, target: { averagePowerUw: ${power(100)} } }`,
        `    coin-poor: { class: coin, target: { averagePowerUw: ${power(1)} } }`,
        '  controller: { minDwellS: 0 }',
      ].join('\n'),
    );
    const ws = new WebSocket(daemon.wsUrl);
    const envelopes: Envelope[] = [];
    ws.on('message', (d: Buffer) => envelopes.push(JSON.parse(d.toString()) as Envelope));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const client = await mqtt.connectAsync(daemon.mqttUrl, { clientId: 'e2e-budget-wearables', protocolVersion: 4 });
    const batches = new Map(DEVICES.map((id, i) => [id, batchesOf(id, generatedRecording(i + 5, 512), 64)]));
    const send = async (from: number, to: number): Promise<void> => {
      for (const id of DEVICES) for (const b of batches.get(id)!.slice(from, to)) await client.publishAsync(`har/${id}/imu`, Buffer.from(encodeJsonBatch(b)), { qos: 1 });
    };
    const modeOf = (id: string) => envelopes.filter((e): e is ModeEnvelope => e.type === 'mode' && e.deviceId === id);
    const predictionsOf = (id: string) => envelopes.filter((e): e is PredictionEnvelope => e.type === 'prediction' && e.deviceId === id);

    await send(0, 2); // one window each
    await expect.poll(() => modeOf('coin-rich').length + modeOf('coin-poor').length, { timeout: 30_000 }).toBe(2);
    const rich = modeOf('coin-rich')[0]!;
    const poor = modeOf('coin-poor')[0]!;
    expect(rich).toMatchObject({ status: 'feasible', trigger: 'start' });
    expect(rich.modeIndex).toBeGreaterThan(0);
    expect(poor).toMatchObject({ status: 'infeasible', modeIndex: 0, threshold: 0 });
    await send(2, 8); // windows 1..6 of each device (512 samples: 7 windows)
    await expect.poll(() => envelopes.filter((e) => e.type === 'prediction').length, { timeout: 60_000 }).toBe(21);

    expect(predictionsOf('coin-rich').map((p) => p.threshold)).toEqual([0, ...Array<number>(6).fill(rich.threshold)]);
    expect(predictionsOf('coin-poor').map((p) => p.threshold)).toEqual(Array(7).fill(0));
    expect(predictionsOf('no-budget').map((p) => p.threshold)).toEqual(Array(7).fill(FULL));
    for (const p of envelopes.filter((e): e is PredictionEnvelope => e.type === 'prediction')) expect(p.energyUj).toBeGreaterThan(0);
    expect(envelopes.some((e) => e.type === 'battery' && e.deviceId === 'no-budget')).toBe(false);

    const retained = new Map<string, unknown>();
    const late = await mqtt.connectAsync(daemon.mqttUrl, { clientId: 'e2e-budget-late', protocolVersion: 4 });
    late.on('message', (topic, payload) => retained.set(topic, mqttModePayloadSchema.parse(JSON.parse(payload.toString()))));
    await late.subscribeAsync('har/+/mode', { qos: 1 });
    await expect.poll(() => retained.size).toBe(2);
    expect(retained.get('har/coin-poor/mode')).toMatchObject({ status: 'infeasible', mode: { index: 0, threshold: 0 } });
    expect(retained.get('har/coin-rich/mode')).toMatchObject({ status: 'feasible', mode: { index: rich.modeIndex } });
    await late.endAsync();
    await client.endAsync();
    ws.terminate();

    const exit = await new Promise<number | null>((r) => {
      daemon.child.once('exit', (code) => r(code));
      daemon.child.kill('SIGTERM');
    });
    expect(exit).toBe(0);
    const db = new Database(join(daemon.dataDir, 'har-gateway.db'), { readonly: true });
    try {
      const decisions = db.prepare('SELECT device_id, mode_index, threshold, status FROM budget_decisions ORDER BY device_id, id').all();
      expect(decisions).toEqual([
        { device_id: 'coin-poor', mode_index: 0, threshold: 0, status: 'infeasible' },
        { device_id: 'coin-rich', mode_index: rich.modeIndex, threshold: rich.threshold, status: 'feasible' },
      ]);
      const thresholds = db.prepare("SELECT threshold FROM predictions WHERE device_id = 'coin-rich' ORDER BY window_seq").all() as { threshold: number }[];
      expect(thresholds.map((t) => t.threshold)).toEqual([0, ...Array<number>(6).fill(rich.threshold)]);
      expect((db.prepare('SELECT COUNT(*) AS n FROM budget_projections').get() as { n: number }).n).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
  }, 120_000);
});
