// `har-gateway simulate` spawned for real against an in-process embedded broker (MqttConnection
// + MqttIngest on port 0): every device's batches arrive valid, contiguous and time-consistent.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { MqttIngest, type ReceivedBatteryReport } from '../../daemon/ingest/mqtt-ingest.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';

const BIN = fileURLToPath(new URL('../../bin/har-gateway.js', import.meta.url));

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HAR_DATA_DIR: '/nonexistent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('har-gateway simulate', () => {
  const config = validateConfig({ mqtt: { embedded: { port: 0 }, clientId: 'gw-e2e-sim' } });
  const logger = pino({ level: 'silent' });
  const connection = new MqttConnection({ config: config.mqtt, logger });
  const ingest = new MqttIngest({ source: connection, baseTopic: 'har', config: config.ingest, logger });
  const batches: SampleBatch[] = [];
  const batteries: ReceivedBatteryReport[] = [];

  beforeAll(async () => {
    ingest.batches$.subscribe((b) => batches.push(b));
    ingest.batteryReports$.subscribe((r) => batteries.push(r));
    await ingest.start();
    await connection.start();
  });
  afterAll(async () => {
    await ingest.stop();
    await connection.stop();
  });

  it.each(['binary', 'json'] as const)('streams %s batches from 3 synthetic wearables, contiguous and valid', async (format) => {
    batches.length = 0;
    batteries.length = 0;
    const result = await runCli(['simulate', '--devices', '3', '--url', connection.brokerUrl, '--speed', '10', '--duration', '2', '--format', format, '--battery', '5', '--base-topic', 'har', '--id-prefix', `sim-${format}`]);
    expect(result.stderr).toContain('synthetic');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/simulating 3 wearable\(s\) \(synthetic\)/);
    const sent = Number(/sent (\d+) batches/.exec(result.stdout)?.[1]);
    // 2 s at 10x of 25-sample batches at 50 Hz: ~40 per device
    expect(sent).toBeGreaterThanOrEqual(3 * 30);
    await waitFor(() => batches.length === sent);
    expect(ingest.counters().dropped).toBe(0);
    const byDevice = new Map<string, SampleBatch[]>();
    for (const b of batches) byDevice.set(b.deviceId, [...(byDevice.get(b.deviceId) ?? []), b]);
    expect([...byDevice.keys()].sort()).toEqual([1, 2, 3].map((k) => `sim-${format}-${k}`));
    for (const list of byDevice.values()) {
      list.forEach((b, i) => {
        expect(b.seq).toBe(i * 25);
        expect(b.samples).toBe(25);
        expect(b.rateHz).toBe(50);
        expect(b.gyro).not.toBeNull();
        expect(b.t0Ms - (list[0]?.t0Ms ?? 0)).toBeCloseTo(i * 500, 6);
      });
    }
    // battery reports every 5 simulated seconds: 20 s simulated -> ~4 per device, draining or level
    expect(batteries.length).toBeGreaterThanOrEqual(3 * 3);
    for (const r of batteries) expect(r.percent).toBeGreaterThan(0);
  });

  it('takes the broker address from a gateway configuration (--config)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'har-sim-'));
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, `mqtt:\n  embedded:\n    host: 0.0.0.0\n    port: ${new URL(connection.brokerUrl).port}\n`);
    const result = await runCli(['simulate', '--devices', '1', '--config', file, '--speed', '10', '--duration', '1', '--id-prefix', 'cfg']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`-> mqtt://127.0.0.1:${new URL(connection.brokerUrl).port}`);
    await waitFor(() => batches.some((b) => b.deviceId === 'cfg-1'));
  });

  it('refuses bad arguments', async () => {
    const result = await runCli(['simulate', '--devices', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--devices must be a positive integer/);
  });

  it('says plainly when it cannot reach the broker', async () => {
    const result = await runCli(['simulate', '--devices', '1', '--url', 'mqtt://127.0.0.1:1', '--duration', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot start/);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
