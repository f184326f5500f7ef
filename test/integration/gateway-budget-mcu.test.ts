// The battery budget end to end with the mcu engine (the emulated RISC-V twin in the inference
// workers): the energies the twin measures per window feed the device's budget. The test model's
// mode table is filled here the way the zoo's is (device-sim/twin measureModes): by running the
// twin in-process on a generated window at each mode's threshold. Two devices with average-power
// targets: `lean` can afford only the first exit, `rich` the full network.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../daemon/config/load.ts';
import { Gateway } from '../../daemon/gateway.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { gatewayModelFromBytes } from '../../daemon/pipeline/model.ts';
import { createMcuEngine } from '../../device-sim/twin/index.ts';
import { readArtifact } from '../../models/format/read.ts';
import { replaceMetadata } from '../../models/format/write.ts';
import { quantizeWindow } from '../../models/quantize.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { batchesOf, expectedWindows, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { buildTestModel, TEST_MODEL_SCALE } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const FULL = 0xffff_ffff;
const WINDOW_PERIOD_S = 64 / 50;
const BASELINE_UW = 20;

/** The test model with its two modes' energies measured on the twin (one generated window each). */
function measuredModel(): { bytes: Uint8Array; firstExitUj: number; fullUj: number } {
  const bytes = buildTestModel(7, 'budget-mcu-ee');
  const engine = createMcuEngine({ model: bytes });
  const window = quantizeWindow(expectedWindows(generatedRecording(9, 128), 128, 64)[0]!, TEST_MODEL_SCALE);
  const firstExitUj = engine.run(window, 0).energyUj!;
  const fullUj = engine.run(window, FULL).energyUj!;
  const { metadata } = readArtifact(bytes);
  const modes = [
    { threshold: 0, accuracy: 0.8, macroF1: 0.8, continueShare: 0, avgMacs: 0, cycles: null, latencyUs: null, energyUj: firstExitUj },
    { threshold: FULL, accuracy: 0.9, macroF1: 0.9, continueShare: 1, avgMacs: 0, cycles: null, latencyUs: null, energyUj: fullUj },
  ];
  return { bytes: replaceMetadata(bytes, { ...metadata, modes }), firstExitUj, fullUj };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Gateway budget with the mcu engine', () => {
  it('chooses modes from the twin-measured energies and counts every window\'s measured energy', async () => {
    const { bytes, firstExitUj, fullUj } = measuredModel();
    expect(fullUj).toBeGreaterThan(firstExitUj * 1.1);
    const powerFor = (cnnUjPerWindow: number) => BASELINE_UW + cnnUjPerWindow / WINDOW_PERIOD_S;
    const dataDir = mkdtempSync(join(tmpdir(), 'har-gw-budget-mcu-'));
    dirs.push(dataDir);
    const config = validateConfig({
      gateway: { dataDir },
      mqtt: { embedded: { port: 0 }, clientId: 'gw-budget-mcu' },
      engine: { kind: 'mcu', workers: 1 },
      websocket: { enabled: false },
      store: { flushIntervalMs: 20 },
      pipeline: { drainTimeoutMs: 30_000 },
      budget: {
        devices: {
          // half way between the two modes: only the first exit fits
          lean: { battery: { chemistry: 'cr2032', capacityMah: 220, baselineUw: BASELINE_UW }, target: { averagePowerUw: powerFor((firstExitUj + fullUj) / 2) } },
          // twice the full network's cost: the full network
          rich: { battery: { chemistry: 'lipo', capacityMah: 100, baselineUw: BASELINE_UW }, target: { averagePowerUw: powerFor(2 * fullUj) } },
        },
        controller: { minDwellS: 0 },
      },
    });
    const logger = pino({ level: 'silent' });
    const connection = new MqttConnection({ config: config.mqtt, logger });
    const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
    const gateway = new Gateway({ config, logger, model: gatewayModelFromBytes(bytes), connection, ingest });
    await gateway.start();
    let client: mqtt.MqttClient | null = null;
    try {
      client = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'mcu-wearables', protocolVersion: 4 });
      const devices = ['lean', 'rich'];
      const batches = new Map(devices.map((id, i) => [id, batchesOf(id, generatedRecording(i + 3, 384), 64)]));
      const send = async (from: number, to: number): Promise<void> => {
        for (const id of devices) for (const b of batches.get(id)!.slice(from, to)) await client!.publishAsync(`har/${id}/imu`, Buffer.from(encodeBinaryBatch(b)), { qos: 1 });
      };
      await send(0, 2); // one window each: the first evaluation
      await expect.poll(() => gateway.store.budgetDecisions().length, { timeout: 60_000 }).toBe(2);
      expect(gateway.store.budgetDecisions('lean').map((d) => [d.mode_index, d.status])).toEqual([[0, 'feasible']]);
      expect(gateway.store.budgetDecisions('rich').map((d) => [d.mode_index, d.status])).toEqual([[1, 'feasible']]);
      await send(2, 6); // four more windows each
      await expect.poll(() => gateway.live.predictions(), { timeout: 90_000 }).toBe(10);
      await expect.poll(() => gateway.store.stats().predictionsWritten).toBe(10);

      const rows = (id: string) => gateway.store.predictions(id);
      expect(rows('lean').map((r) => r.threshold)).toEqual([0, 0, 0, 0, 0]);
      expect(rows('rich').map((r) => r.threshold)).toEqual([0, FULL, FULL, FULL, FULL]); // cheapest until the first decision
      for (const r of [...rows('lean'), ...rows('rich')]) expect(r.energyUj).toBeGreaterThan(0);
      expect(rows('rich').slice(1).every((r) => r.exitTaken === 1)).toBe(true);

      // every window's measured energy went into the budget (none counted from the table instead)
      for (const snap of gateway.budget!.snapshot()) {
        expect(snap.counters).toMatchObject({ windows: 5, windowsWithoutEnergy: 0, badEnergy: 0, unknownThreshold: 0 });
      }
      const rich = gateway.budget!.snapshot().find((s) => s.deviceId === 'rich')!;
      expect(rich.charge.chargeFraction).toBeLessThan(1);
    } finally {
      await client?.endAsync().catch(() => undefined);
      await gateway.stop();
    }
  }, 180_000);
});
