// The JSON schema of the configuration file, generated from the zod schema (never hand-written).
// `io: 'input'` describes what a user writes: keys with defaults are optional.
import { z } from 'zod';
import { configSchema } from './schema.ts';

export type JsonSchema = Record<string, unknown>;

export function configJsonSchema(): JsonSchema {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
