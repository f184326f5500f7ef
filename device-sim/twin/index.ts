// Public API of the twin (docs/ARCHITECTURE.md, "device-sim"): the twin of one MCU, the 'mcu'
// InferenceEngine, and the firmware image.
export { createTwin, DEFAULT_MAX_CYCLES_PER_WINDOW, type Twin, type TwinOptions, type TwinRunResult, type KernelSet } from './twin.ts';
export { createMcuEngine, type McuEngine, type McuEngineOptions } from './mcu-engine.ts';
export { createIssCore } from './iss-core.ts';
export { resolveTwinProfile } from './profiles.ts';
export type { TwinProfile } from './profile.ts';
export { TwinError, type TwinErrorCode } from './errors.ts';
export { FIRMWARE_ELF_PATH, loadFirmwareImage } from './firmware-image.ts';
