// The model zoo (models/zoo/): the committed artifacts `<id>.harm`, their conformance vectors and
// `zoo.json` `{ "default": "<id>" }` naming the daemon's default model. The folder can be
// overridden with the environment variable HAR_ZOO_DIR (tests and users with their own models)
// or the `dir` option.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ArtifactError } from '../format/errors.ts';
import { modelFootprint, type ModelFootprint } from '../format/footprint.ts';
import { MODEL_ID_PATTERN } from '../format/metadata.ts';
import { readArtifact } from '../format/read.ts';
import type { ModelArtifact } from '../format/types.ts';

export const ZOO_DIR_ENV = 'HAR_ZOO_DIR';
export const DEFAULT_MODEL = 'default';
const ARTIFACT_SUFFIX = '.harm';

export type ZooErrorCode = 'ZOO_MISSING' | 'ZOO_INDEX_INVALID' | 'ZOO_UNKNOWN_MODEL' | 'ZOO_MODEL_INVALID';

export class ZooError extends Error {
  readonly code: ZooErrorCode;
  /** The file or folder concerned. */
  readonly path: string;
  constructor(code: ZooErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZooError';
    this.code = code;
    this.path = path;
  }
}

export interface ZooOptions {
  /** The zoo folder; default: $HAR_ZOO_DIR, else models/zoo of this checkout. */
  readonly dir?: string;
}

export function zooDir(options: ZooOptions = {}): string {
  const fromEnv = process.env[ZOO_DIR_ENV];
  return resolve(options.dir ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(import.meta.dirname)));
}

const zooIndexSchema = z.strictObject({ default: z.string().regex(MODEL_ID_PATTERN) });

/** The default model id from `<dir>/zoo.json`. */
export function defaultModelId(options: ZooOptions = {}): string {
  const path = join(zooDir(options), 'zoo.json');
  if (!existsSync(path)) throw new ZooError('ZOO_MISSING', path, `no default model: ${path} is missing (expected { "default": "<model id>" })`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ZooError('ZOO_INDEX_INVALID', path, `${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const result = zooIndexSchema.safeParse(parsed);
  if (!result.success) {
    throw new ZooError('ZOO_INDEX_INVALID', path, `${path} must be { "default": "<model id>" }: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return result.data.default;
}

export interface LoadedModel {
  readonly id: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly artifact: ModelArtifact;
}

/** Reads and validates `<dir>/<id>.harm`; `'default'` resolves through zoo.json. */
export function loadZooModel(idOrDefault: string, options: ZooOptions = {}): LoadedModel {
  const dir = zooDir(options);
  const id = idOrDefault === DEFAULT_MODEL ? defaultModelId(options) : idOrDefault;
  if (!MODEL_ID_PATTERN.test(id)) throw new ZooError('ZOO_UNKNOWN_MODEL', dir, `"${id}" is not a model id ([a-z0-9][a-z0-9._-]*)`);
  const path = join(dir, `${id}${ARTIFACT_SUFFIX}`);
  if (!existsSync(path)) {
    const known = listIds(dir);
    throw new ZooError('ZOO_UNKNOWN_MODEL', path, `no model "${id}": ${path} does not exist (zoo ${dir} has: ${known.length ? known.join(', ') : 'no models'})`);
  }
  const bytes = new Uint8Array(readFileSync(path));
  let artifact: ModelArtifact;
  try {
    artifact = readArtifact(bytes);
  } catch (err) {
    if (err instanceof ArtifactError) throw new ZooError('ZOO_MODEL_INVALID', path, `${path} is not a valid model artifact: ${err.message}`, { cause: err });
    throw err;
  }
  if (artifact.metadata.id !== id) {
    throw new ZooError('ZOO_MODEL_INVALID', path, `${path} holds model "${artifact.metadata.id}", its file name says "${id}"`);
  }
  return { id, path, bytes, artifact };
}

function listIds(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(ARTIFACT_SUFFIX)).map((f) => f.slice(0, -ARTIFACT_SUFFIX.length)).sort();
}

export interface ZooModelSummary {
  readonly valid: true;
  readonly id: string;
  readonly path: string;
  readonly isDefault: boolean;
  readonly task: string;
  readonly architecture: string;
  readonly adaptive: 'none' | 'early-exit' | 'cascade';
  readonly stages: number;
  readonly classes: number;
  readonly footprint: ModelFootprint;
  readonly modes: number;
  readonly testAccuracy: number | null;
  readonly testMacroF1: number | null;
  readonly artifact: ModelArtifact;
}

export interface ZooInvalidEntry {
  readonly valid: false;
  readonly id: string;
  readonly path: string;
  readonly isDefault: boolean;
  readonly error: string;
}

export type ZooEntry = ZooModelSummary | ZooInvalidEntry;

export function summarize(id: string, path: string, artifact: ModelArtifact, isDefault: boolean): ZooModelSummary {
  const m = artifact.metadata;
  return {
    valid: true, id, path, isDefault, task: m.task, architecture: m.architecture, adaptive: m.adaptive.kind,
    stages: artifact.net.stageCount, classes: artifact.net.classCount, footprint: modelFootprint(artifact),
    modes: m.modes.length, testAccuracy: m.metrics.test?.accuracy ?? null, testMacroF1: m.metrics.test?.macroF1 ?? null, artifact,
  };
}

/** Every `*.harm` of the zoo, sorted by id; an invalid file is listed with its error, not thrown. */
export function listZoo(options: ZooOptions = {}): ZooEntry[] {
  const dir = zooDir(options);
  if (!existsSync(dir)) throw new ZooError('ZOO_MISSING', dir, `the model zoo folder ${dir} does not exist`);
  let defaultId: string | null = null;
  try {
    defaultId = defaultModelId(options);
  } catch {
    defaultId = null; // a zoo without a default is still listable
  }
  return listIds(dir).map((id): ZooEntry => {
    const path = join(dir, `${id}${ARTIFACT_SUFFIX}`);
    const isDefault = id === defaultId;
    try {
      const loaded = loadZooModel(id, { dir });
      return summarize(id, path, loaded.artifact, isDefault);
    } catch (err) {
      if (err instanceof ZooError) return { valid: false, id, path, isDefault, error: err.message };
      throw err;
    }
  });
}
