// The metadata JSON of a model artifact (models/FORMAT.md, "Metadata"): one strict zod schema,
// unknown keys are errors. Consistency with the network section (class count, channels, stages,
// modes) is checked by the reader (read.ts), which knows both.
import { z } from 'zod';
import { UINT32_MAX } from './constants.ts';

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1);
const nullableFigure = z.number().nonnegative().nullable();

export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export const inputSpecSchema = z.strictObject({
  channels: z.array(z.string().min(1)).min(1),
  units: z.array(z.string().min(1)).min(1),
  rateHz: z.number().positive(),
  windowSamples: z.number().int().positive(),
  strideSamples: z.number().int().positive(),
  /** x = q * scale[c] (ARITHMETIC.md §1). */
  scale: z.array(z.number().positive().finite()).min(1),
  zeroPoint: z.literal(0),
  bits: z.literal(8),
});

export const adaptiveSchema = z.strictObject({
  kind: z.enum(['none', 'early-exit', 'cascade']),
  /** logit = score * scoreScale, shared by every head. */
  scoreScale: z.number().positive().finite(),
});

export const stageMetaSchema = z.strictObject({
  name: z.string().min(1),
  macs: count,
  weightBytes: count,
});

export const modeSchema = z.strictObject({
  /** Unsigned 32-bit threshold in score units (ARITHMETIC.md §6). */
  threshold: z.number().int().min(0).max(UINT32_MAX),
  accuracy: share,
  macroF1: share,
  continueShare: share,
  avgMacs: z.number().nonnegative(),
  cycles: nullableFigure,
  latencyUs: nullableFigure,
  energyUj: nullableFigure,
});

export const splitMetricsSchema = z.strictObject({
  accuracy: share,
  macroF1: share,
  windows: count,
});

export const provenanceSchema = z.strictObject({
  task: z.string().min(1),
  seed: z.number().int(),
  commit: z.string(),
  tool: z.string().min(1),
  dataset: z.string().min(1),
  protocol: z.string().min(1),
});

export const metadataSchema = z.strictObject({
  id: z.string().regex(MODEL_ID_PATTERN, 'model id must match [a-z0-9][a-z0-9._-]*'),
  task: z.string().min(1),
  classes: z.array(z.string().min(1)).min(1),
  architecture: z.string(),
  input: inputSpecSchema,
  adaptive: adaptiveSchema,
  stages: z.array(stageMetaSchema).min(1),
  /** The operating-mode table, cheapest first. */
  modes: z.array(modeSchema).min(1),
  metrics: z.strictObject({
    test: splitMetricsSchema.optional(),
    validation: splitMetricsSchema.optional(),
  }),
  provenance: provenanceSchema,
});

export type ModelMetadata = z.infer<typeof metadataSchema>;
export type OperatingMode = z.infer<typeof modeSchema>;
export type StageMetadata = z.infer<typeof stageMetaSchema>;

/** `path: message` lines of a zod error (as the config loader prints them). */
export function describeSchemaIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
