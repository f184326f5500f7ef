// The C header the firmware includes is generated from device-sim/memory-map.ts: the committed
// file must equal a fresh generation (regenerate: npx tsx device-sim/iss/memory-map-header.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateMemoryMapHeader, HEADER_PATH } from '../../../../device-sim/iss/memory-map-header.ts';
import { MAILBOX, REGIONS } from '../../../../device-sim/memory-map.ts';

describe('memory_map.h', () => {
  it('the committed header equals a fresh generation', () => {
    expect(readFileSync(HEADER_PATH, 'utf8')).toBe(generateMemoryMapHeader());
  });

  it('says it is generated and by what, and carries every region and mailbox offset', () => {
    const h = generateMemoryMapHeader();
    expect(h).toMatch(/GENERATED FILE - DO NOT EDIT/);
    expect(h).toMatch(/device-sim\/iss\/memory-map-header\.ts/);
    expect(h).toContain(`#define REGION_MAILBOX_BASE 0x${REGIONS.mailbox.base.toString(16).toUpperCase()}u`);
    for (const name of Object.keys(MAILBOX)) expect(h).toContain(`#define MAILBOX_${name} `);
  });
});
