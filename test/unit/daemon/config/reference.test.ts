import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../../../../daemon/config/schema.ts';
import { configReferenceMarkdown, REFERENCE_HEADING } from '../../../../daemon/config/reference.ts';
import { configJsonSchema } from '../../../../daemon/config/json-schema.ts';

/** Dotted leaf keys of a zod object schema, walking through defaults/prefaults/optionals. */
function leafKeys(schema: z.ZodType, prefix = ''): string[] {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else break;
  }
  if (!(s instanceof z.ZodObject)) return [prefix];
  const keys = Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
  return keys.length === 0 && prefix ? [] : keys;
}

describe('generated configuration docs', () => {
  it('the reference has a row for every leaf key of the schema, with its default', () => {
    const md = configReferenceMarkdown();
    expect(md.startsWith(REFERENCE_HEADING)).toBe(true);
    const keys = leafKeys(configSchema);
    expect(keys).toContain('mqtt.reconnect.maxDelayMs');
    expect(keys).toContain('ingest.maxPayloadBytes');
    for (const key of keys) expect(md).toMatch(new RegExp(`^\\| \`${key.replace(/\./g, '\\.')}\` \\|`, 'm'));
    expect(md).toContain('| `mqtt.embedded.port` | integer 0..65535 | `1883` |');
  });

  it('the JSON schema is strict and knows the defaults', () => {
    const schema = configJsonSchema() as { additionalProperties?: boolean; properties: Record<string, { additionalProperties?: boolean; properties?: Record<string, { default?: unknown }> }> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.mqtt?.additionalProperties).toBe(false);
    expect(schema.properties.mqtt?.properties?.baseTopic?.default).toBe('har');
    expect(schema.properties.ingest?.properties?.maxPayloadBytes?.default).toBe(262144);
  });
});
