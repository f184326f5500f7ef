// The committed firmware image (device-sim/firmware/build/, rebuilt by `npm run firmware:build`).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIRMWARE_ELF_PATH = fileURLToPath(new URL('../firmware/build/har-fw.elf', import.meta.url));
export const FIRMWARE_SOURCES_HASH_PATH = fileURLToPath(new URL('../firmware/build/SOURCES.sha256', import.meta.url));

export function loadFirmwareImage(path: string = FIRMWARE_ELF_PATH): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
