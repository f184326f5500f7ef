// Simulated wearables (device-sim/wearables/README.md): stream recordings or synthetic signals
// over MQTT. `har-gateway simulate` and `har-gateway start --demo` use startSimulatedWearables.
export { startSimulatedWearables, type SimulatedWearables, type SimulatedWearablesOptions, type SimulatedWearablesStats, type PayloadFormat } from './fleet.ts';
export { createSyntheticSource, ACTIVITY_PROFILES, SEGMENT_SECONDS, type ActivityProfile } from './synthetic.ts';
export { createRecordingSource, loadRecordings, type RecordingSet } from './recordings.ts';
export type { SignalSource } from './signal-source.ts';
