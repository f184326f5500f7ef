// index.json of a recording session folder (README.md in this folder, "Index").
import { z } from 'zod';

export const RECORDING_INDEX_FILE = 'index.json';
export const RECORDING_FORMAT = 'har-gateway-recording/v1';

export const deviceEntrySchema = z.strictObject({
  /** File name inside the session folder. */
  file: z.string().min(1),
  batches: z.number().int().min(0),
  samples: z.number().int().min(0),
  /** Bytes of the file when the index was written (a longer file was appended to since). */
  bytes: z.number().int().min(0),
  firstT0Ms: z.number().nullable(),
  lastT0Ms: z.number().nullable(),
  rateHz: z.number().nullable(),
  gyro: z.boolean(),
});

export const recordingIndexSchema = z.strictObject({
  format: z.literal(RECORDING_FORMAT),
  startedAtMs: z.number(),
  updatedAtMs: z.number(),
  /** true once the recorder stopped cleanly (false: the daemon ended without stopping). */
  complete: z.boolean(),
  modelId: z.string().nullable(),
  devices: z.record(z.string(), deviceEntrySchema),
});

export type RecordingIndex = z.infer<typeof recordingIndexSchema>;
export type RecordingDeviceEntry = z.infer<typeof deviceEntrySchema>;
