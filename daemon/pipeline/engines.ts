// The engine kinds the daemon can run, by name (config `engine.kind`). Each entry is a module
// (engines/*.ts, see engines/engine-module.ts) that the inference worker imports, so a new
// engine plugs in with one line here.
export const ENGINE_MODULES = {
  reference: new URL('./engines/reference.ts', import.meta.url),
  mcu: new URL('./engines/mcu.ts', import.meta.url),
} as const satisfies Record<string, URL>;

export type EngineKind = keyof typeof ENGINE_MODULES;
