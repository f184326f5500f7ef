// Conformance vectors (docs/ARCHITECTURE.md "Conformance vectors", written by the exporter next
// to each zoo artifact: models/zoo/vectors/<id>.json) and their comparison with the reference
// executor, tolerance zero. A mismatch names the case, the layer (index and kernel name) and the
// first differing positions [t][c], actual vs expected.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UINT32_MAX } from '../format/constants.ts';
import type { ReferenceModel, ReferenceRun } from './executor.ts';

const ints = z.array(z.number().int());

export const vectorCaseSchema = z.strictObject({
  name: z.string().optional(),
  threshold: z.number().int().min(0).max(UINT32_MAX),
  input: z.array(z.number().int().min(-128).max(127)),
  layers: z.array(z.strictObject({ index: z.number().int().nonnegative(), output: ints })),
  scores: ints,
  classIndex: z.number().int().nonnegative(),
  margin: z.number().int().nonnegative(),
  exitTaken: z.number().int().nonnegative(),
  macs: z.number().int().nonnegative(),
});

export const vectorFileSchema = z.strictObject({
  model: z.string(),
  generator: z.string(),
  cases: z.array(vectorCaseSchema).min(1),
});

export type VectorCase = z.infer<typeof vectorCaseSchema>;
export type VectorFile = z.infer<typeof vectorFileSchema>;

export class VectorsError extends Error {
  readonly code = 'VECTORS_INVALID';
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VectorsError';
    this.path = path;
  }
}

export function readVectorFile(path: string): VectorFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new VectorsError(path, `${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const r = vectorFileSchema.safeParse(parsed);
  if (!r.success) throw new VectorsError(path, `${path}: ${r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** "<what>: 5 of 512 values differ; first: [2][7] actual 4 expected 5, ..." or null when equal. */
export function describeMismatch(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, channels: number): string | null {
  if (actual.length !== expected.length) return `${what}: ${actual.length} values, expected ${expected.length}`;
  const diffs: string[] = [];
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      count++;
      if (diffs.length < 8) diffs.push(`[${Math.floor(i / channels)}][${i % channels}] actual ${actual[i]} expected ${expected[i]}`);
    }
  }
  return count === 0 ? null : `${what}: ${count} of ${actual.length} values differ; first: ${diffs.join(', ')}`;
}

/** Every difference between a traced run and an expected case (empty when bit-exact). */
export function compareRun(label: string, model: ReferenceModel, run: ReferenceRun, c: VectorCase): string[] {
  const problems: string[] = [];
  const actualIndices = run.layers.map((l) => l.index);
  const expectedIndices = c.layers.map((l) => l.index);
  if (actualIndices.join(',') !== expectedIndices.join(',')) {
    problems.push(`${label}: executed layers [${actualIndices.join(', ')}], expected [${expectedIndices.join(', ')}]`);
  }
  for (const exp of c.layers) {
    const act = run.layers.find((l) => l.index === exp.index);
    if (!act) continue;
    const rec = model.artifact.layers[exp.index];
    const m = describeMismatch(`${label} layer ${exp.index} (${act.kernel}) [${rec?.outLen}][${rec?.outCh}]`, act.output, exp.output, rec?.outCh ?? 1);
    if (m) problems.push(m);
  }
  const s = describeMismatch(`${label} scores`, run.scores, c.scores, run.scores.length);
  if (s) problems.push(s);
  for (const key of ['classIndex', 'margin', 'exitTaken', 'macs'] as const) {
    if (run[key] !== c[key]) problems.push(`${label} ${key}: actual ${run[key]} expected ${c[key]}`);
  }
  return problems;
}

/** Runs every case of a vector file (traced) and returns every difference. */
export function checkVectors(model: ReferenceModel, vectors: VectorFile): string[] {
  const problems: string[] = [];
  const id = model.artifact.metadata.id;
  if (vectors.model !== id) problems.push(`the vectors are for model "${vectors.model}", not "${id}"`);
  vectors.cases.forEach((c, i) => {
    const label = `${id} case ${i}${c.name ? ` (${c.name})` : ''} threshold ${c.threshold}`;
    if (c.input.length !== model.windowValues) {
      problems.push(`${label}: input has ${c.input.length} values, the model reads ${model.windowValues}`);
      return;
    }
    problems.push(...compareRun(label, model, model.run(Int8Array.from(c.input), c.threshold, { trace: true }), c));
  });
  return problems;
}
