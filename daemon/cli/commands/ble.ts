// `har-gateway ble decode`: decode captured BLE notifications (hex, one per argument, in order)
// with one of the protocol/ble decoders and print the samples as JSON, the way to debug a
// capture from a real device. `har-gateway ble-bridge`: run only the BLE side of a
// configuration and publish its sample batches (binary batch format) and battery reports over
// MQTT to a gateway elsewhere. docs/BLE.md.
import { Option, type Command } from 'commander';
import { pino, destination } from 'pino';
import { CliExit } from '../exit.ts';
import { BLE_PROTOCOL_NAMES, BLE_PROTOCOLS, createBleDecoder } from '../../../protocol/ble/index.ts';
import type { SensorChunk } from '../../../protocol/ble/types.ts';
import { loadConfig } from '../../config/load.ts';
import { ConfigError } from '../../config/errors.ts';
import type { Config } from '../../config/schema.ts';

interface DecodeFlags {
  protocol: string;
  settings?: string;
}

interface DecodedSampleLine {
  readonly notification: number;
  readonly sensor: 'acc' | 'gyro';
  /** ms since the Unix epoch from the device's own clock, or null when the protocol has none. */
  readonly tMs: number | null;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly unit: 'g' | 'rad/s';
}

/** Exit code when some notification was rejected (the others are still printed). */
export const EXIT_SOME_REJECTED = 1;

export function parseHexNotification(text: string): Uint8Array | null {
  const clean = text.replace(/[\s:]/g, '').replace(/^0x/i, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function sampleLines(notification: number, chunk: SensorChunk): DecodedSampleLine[] {
  const out: DecodedSampleLine[] = [];
  for (let s = 0; s < chunk.samples; s++) {
    out.push({
      notification,
      sensor: chunk.sensor,
      tMs: chunk.firstSampleMs === null ? null : chunk.firstSampleMs + (s * 1000) / chunk.rateHz,
      x: chunk.xyz[3 * s] ?? NaN,
      y: chunk.xyz[3 * s + 1] ?? NaN,
      z: chunk.xyz[3 * s + 2] ?? NaN,
      unit: chunk.sensor === 'acc' ? 'g' : 'rad/s',
    });
  }
  return out;
}

export function decodeCapture(protocol: string, settings: unknown, hexNotifications: readonly string[]) {
  const decoder = createBleDecoder(protocol, settings);
  const samples: DecodedSampleLine[] = [];
  const rejected: { notification: number; kind: string; detail: string }[] = [];
  const lost: { notification: number; sensor: string; samples: number }[] = [];
  hexNotifications.forEach((text, index) => {
    const bytes = parseHexNotification(text);
    if (!bytes) {
      rejected.push({ notification: index, kind: 'not-hex', detail: `argument ${index + 1} is not an even number of hex digits` });
      return;
    }
    const result = decoder.decode(bytes);
    for (const d of result.dropped ?? []) rejected.push({ notification: index - 1, kind: d.kind, detail: d.detail });
    if (!result.ok) {
      rejected.push({ notification: index, kind: result.kind, detail: result.detail });
      return;
    }
    for (const chunk of result.chunks) {
      if (chunk.lostBefore > 0) lost.push({ notification: index, sensor: chunk.sensor, samples: chunk.lostBefore });
      samples.push(...sampleLines(index, chunk));
    }
  });
  const unfinished = decoder.flush();
  if (unfinished) rejected.push({ notification: hexNotifications.length - 1, kind: unfinished.kind, detail: unfinished.detail });
  return { protocol, notifications: hexNotifications.length, samples, lost, rejected };
}

/** JSON with one sample per line (a capture has hundreds). */
function formatReport(report: ReturnType<typeof decodeCapture>): string {
  const list = (items: readonly unknown[]): string => (items.length === 0 ? '[]' : `[\n    ${items.map((i) => JSON.stringify(i)).join(',\n    ')}\n  ]`);
  return `{\n  "protocol": ${JSON.stringify(report.protocol)},\n  "notifications": ${report.notifications},\n  "samples": ${list(report.samples)},\n  "lost": ${list(report.lost)},\n  "rejected": ${list(report.rejected)}\n}\n`;
}

export function registerBle(program: Command): void {
  const ble = program.command('ble').description('BLE wearables: decode captured notifications (docs/BLE.md)');
  ble
    .command('decode')
    .description('decode captured notifications (hex, one per argument, in order) and print the samples as JSON (g, rad/s); exit 1 if any was rejected')
    .addOption(new Option('--protocol <name>', 'decoder').choices(BLE_PROTOCOL_NAMES).makeOptionMandatory())
    .option('--settings <json>', 'decoder settings as JSON (the settings of a ble.devices[] entry)')
    .argument('<hex...>', 'notification values in hex (spaces or colons allowed inside one argument)')
    .addHelpText('after', `\nProtocols:\n${BLE_PROTOCOL_NAMES.map((n) => `  ${n}: ${BLE_PROTOCOLS[n].description}`).join('\n')}`)
    .action((hex: string[], flags: DecodeFlags) => {
      let settings: unknown = {};
      if (flags.settings !== undefined) {
        try {
          settings = JSON.parse(flags.settings);
        } catch (err) {
          throw new CliExit(1, `har-gateway ble decode: --settings is not JSON (${err instanceof Error ? err.message : String(err)})`);
        }
      }
      let report;
      try {
        report = decodeCapture(flags.protocol, settings, hex);
      } catch (err) {
        throw new CliExit(1, `har-gateway ble decode: ${err instanceof Error ? err.message : String(err)}`);
      }
      process.stdout.write(formatReport(report));
      if (report.rejected.length > 0) throw new CliExit(EXIT_SOME_REJECTED, `har-gateway ble decode: ${report.rejected.length} of ${report.notifications} notification(s) rejected`);
    });

  program
    .command('ble-bridge')
    .description('run only the BLE side of a configuration and publish its batches (binary) and battery reports over MQTT to a gateway elsewhere')
    .requiredOption('--config <file>', 'configuration with the ble section and the mqtt section of the target broker')
    .option('--url <url>', 'broker URL (default: mqtt.url of the configuration, else its embedded broker address)')
    .option('--log-level <level>', 'log level (to stderr)', 'info')
    .action(async (flags: { config: string; url?: string; logLevel: string }) => {
      let config: Config;
      try {
        config = await loadConfig(flags.config);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliExit(1, `${flags.config}: invalid configuration\n${err.lines.join('\n')}`);
        throw err;
      }
      if (config.ble.devices.length === 0) throw new CliExit(1, `${flags.config}: ble.devices is empty: nothing to bridge`);
      const logger = pino({ level: flags.logLevel }, destination(2));
      const { runBleBridge } = await import('../../ble/bridge.ts');
      try {
        await runBleBridge({ config, logger, ...(flags.url !== undefined ? { url: flags.url } : {}) });
      } catch (err) {
        throw new CliExit(1, `har-gateway ble-bridge: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
}
