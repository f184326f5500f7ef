// The configuration fragment of the battery budget (zod; the lead merges `budgetSchema` into
// daemon/config/schema.ts under the key `budget`). Strict objects: unknown keys are errors.
//
// budget:
//   classes:                      # shared settings of a kind of wearable
//     wristband:
//       battery: { chemistry: cr2032, capacityMah: 220, baselineUw: 15 }
//       target: { durationDays: 365 }
//   defaultClass: wristband       # devices without an entry get this class (omit: no budget)
//   devices:                      # per device: a class and/or overrides of single fields
//     wrist-07: { class: wristband, battery: { baselineUw: 22 }, target: { until: "2027-06-30T00:00:00Z" } }
//   controller: { hysteresisFraction: 0.02, minDwellS: 1800, reevaluateEveryWindows: 64 }
import { z } from 'zod';
import { CHEMISTRY_IDS, type ChemistryId } from './chemistry.ts';
import { BATTERY_DEFAULTS, makeBatterySpec, type BatterySpec } from './battery.ts';
import { CONTROLLER_DEFAULTS, type ControllerOptions } from './controller.ts';
import type { BudgetTarget } from './target.ts';
import { BudgetError } from './errors.ts';

const chemistry = z.enum(CHEMISTRY_IDS as [ChemistryId, ...ChemistryId[]]).describe('lipo (3.7 V single cell) or cr2032 (3.0 V coin cell): selects the voltage-to-charge curve');

const batteryFields = {
  chemistry,
  capacityMah: z.number().positive().describe('rated capacity to the cut-off voltage, mAh'),
  nominalVoltageV: z.number().positive().max(50).optional().describe('nominal voltage (default: the chemistry\'s, 3.7 V or 3.0 V); energy = capacity x this'),
  usableFraction: z.number().gt(0).max(1).optional().describe(`share of the capacity the budget may spend (default ${BATTERY_DEFAULTS.usableFraction}); the rest is a reserve`),
  baselineUw: z.number().min(0).describe('average power of everything but the CNN (sensor, radio, sleep), µW'),
  voltageNoiseMv: z.number().positive().optional().describe(`one sigma of a voltage report (default ${BATTERY_DEFAULTS.voltageNoiseMv} mV)`),
  voltageSagMv: z.number().min(0).lt(1000).optional().describe('average drop of a reported voltage below the resting voltage (load x internal resistance), mV (default 0)'),
  percentNoisePct: z.number().positive().optional().describe(`one sigma of a percent report (default ${BATTERY_DEFAULTS.percentNoisePct} points)`),
  countingRelError: z.number().min(0).lt(1).optional().describe(`relative error of coulomb counting (default ${BATTERY_DEFAULTS.countingRelError})`),
};

export const batterySettingsSchema = z.strictObject(batteryFields);
export const batteryOverrideSchema = z.strictObject({
  chemistry: batteryFields.chemistry.optional(),
  capacityMah: batteryFields.capacityMah.optional(),
  nominalVoltageV: batteryFields.nominalVoltageV,
  usableFraction: batteryFields.usableFraction,
  baselineUw: batteryFields.baselineUw.optional(),
  voltageNoiseMv: batteryFields.voltageNoiseMv,
  voltageSagMv: batteryFields.voltageSagMv,
  percentNoisePct: batteryFields.percentNoisePct,
  countingRelError: batteryFields.countingRelError,
});

export const targetSchema = z
  .union([
    z.strictObject({ until: z.iso.datetime({ offset: true }).describe('end date-time, ISO 8601 with offset or Z') }),
    z.strictObject({ durationDays: z.number().positive().describe('lifetime from the first window the gateway sees, days') }),
    z.strictObject({ averagePowerUw: z.number().positive().describe('average power of the whole device, µW') }),
  ])
  .describe('one of: { until }, { durationDays }, { averagePowerUw }');

export const deviceClassSchema = z.strictObject({
  battery: batterySettingsSchema,
  target: targetSchema,
});

export const deviceBudgetSchema = z.strictObject({
  class: z.string().min(1).optional().describe('name of an entry of budget.classes'),
  battery: batteryOverrideSchema.optional(),
  target: targetSchema.optional(),
});

export const controllerSchema = z
  .strictObject({
    hysteresisFraction: z.number().min(0).lt(0.5).default(CONTROLLER_DEFAULTS.hysteresisFraction).describe('relative band around the budget before a mode changes'),
    minDwellS: z.number().min(0).default(CONTROLLER_DEFAULTS.minDwellS).describe('minimum sample time in a mode; switches per day <= 86400 / minDwellS + 1'),
    reevaluateEveryWindows: z.number().int().min(1).default(CONTROLLER_DEFAULTS.reevaluateEveryWindows).describe('re-evaluate every N windows (also on every battery report)'),
  })
  .prefault({});

export const budgetSchema = z
  .strictObject({
    classes: z
      .record(z.string().min(1), deviceClassSchema)
      .default({})
      .describe(
        'device classes by name: { battery: { chemistry: lipo|cr2032, capacityMah, baselineUw, nominalVoltageV?, usableFraction? (0.9), voltageNoiseMv? (20), voltageSagMv? (0), percentNoisePct? (2), countingRelError? (0.1) }, target: { until: ISO date-time } | { durationDays } | { averagePowerUw } }',
      ),
    defaultClass: z.string().min(1).optional().describe('class of devices not listed under devices (omit: they run without a budget)'),
    devices: z
      .record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a device id'), deviceBudgetSchema)
      .default({})
      .describe('per device id: { class?, battery?: fields overriding the class, target? }; a device without a class needs chemistry, capacityMah, baselineUw and a target'),
    controller: controllerSchema,
  })
  .superRefine((cfg, ctx) => {
    if (cfg.defaultClass !== undefined && !(cfg.defaultClass in cfg.classes)) {
      ctx.addIssue({ code: 'custom', path: ['defaultClass'], message: `no class named "${cfg.defaultClass}" under budget.classes` });
    }
    for (const [id, device] of Object.entries(cfg.devices)) {
      if (device.class !== undefined && !(device.class in cfg.classes)) {
        ctx.addIssue({ code: 'custom', path: ['devices', id, 'class'], message: `no class named "${device.class}" under budget.classes` });
        continue;
      }
      const base = device.class !== undefined ? cfg.classes[device.class] : undefined;
      const battery = { ...base?.battery, ...device.battery };
      if (battery.chemistry === undefined || battery.capacityMah === undefined || battery.baselineUw === undefined) {
        ctx.addIssue({ code: 'custom', path: ['devices', id], message: 'needs a class or battery.chemistry, battery.capacityMah and battery.baselineUw' });
      }
      if (!base && device.target === undefined) ctx.addIssue({ code: 'custom', path: ['devices', id, 'target'], message: 'needs a class or a target' });
    }
  })
  .prefault({});

export type BudgetConfig = z.infer<typeof budgetSchema>;
export type TargetSetting = z.infer<typeof targetSchema>;

export function targetFromSetting(setting: TargetSetting): BudgetTarget {
  if ('until' in setting) return { kind: 'until', endMs: Date.parse(setting.until) };
  if ('durationDays' in setting) return { kind: 'duration', durationS: setting.durationDays * 86_400 };
  return { kind: 'averagePower', powerUw: setting.averagePowerUw };
}

export interface DeviceBudgetSettings {
  readonly className: string | null;
  readonly battery: BatterySpec;
  readonly target: BudgetTarget;
  readonly controller: ControllerOptions;
}

/**
 * The budget settings of one device: its entry under `devices` merged over its class (or the
 * default class); null when the device has neither (it runs without a budget).
 */
export function deviceBudgetSettings(config: BudgetConfig, deviceId: string): DeviceBudgetSettings | null {
  const device = Object.hasOwn(config.devices, deviceId) ? config.devices[deviceId] : undefined;
  const className = device?.class ?? config.defaultClass ?? null;
  const base = className !== null ? config.classes[className] : undefined;
  if (!device && !base) return null;
  const battery = { ...base?.battery, ...device?.battery };
  const target = device?.target ?? base?.target;
  if (battery.chemistry === undefined || battery.capacityMah === undefined || battery.baselineUw === undefined || target === undefined) {
    throw new BudgetError('BAD_BATTERY', `device ${deviceId}: incomplete budget settings (the schema should have caught this)`);
  }
  return {
    className,
    battery: makeBatterySpec({ ...battery, chemistry: battery.chemistry, capacityMah: battery.capacityMah, baselineUw: battery.baselineUw }),
    target: targetFromSetting(target),
    controller: config.controller,
  };
}
