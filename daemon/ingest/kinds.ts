// The stable list of reasons an inbound payload is dropped (protocol/README.md "Rejection
// kinds"). These names appear in counters, logs, the database and the WebSocket stats: add new
// ones at the end, never rename.
import { DECODE_ERROR_KINDS, VALUE_ERROR_KINDS } from '../../protocol/payload-errors.ts';

/** Kinds decided by the ingest itself, before or after decoding. */
export const INGEST_ONLY_KINDS = [
  'bad-topic', //         topic is not <base>/<deviceId>/<imu|battery> with a valid device id
  'oversized', //         payload larger than ingest.maxPayloadBytes (not parsed at all)
  'too-many-devices', //  a new device beyond ingest.maxDevices
  'duplicate', //         a batch whose samples were all seen already, starting where a recent batch started
  'reordered', //         an older batch arriving after newer ones (its place in the stream has passed)
] as const;

export const INGEST_ERROR_KINDS = [...DECODE_ERROR_KINDS, ...VALUE_ERROR_KINDS, ...INGEST_ONLY_KINDS] as const;
export type IngestErrorKind = (typeof INGEST_ERROR_KINDS)[number];

/** Counter key for payloads that cannot be attributed to a valid device id. */
export const UNKNOWN_DEVICE = '?';
