// MQTT topic names of the gateway (DESIGN.md "Contracts that users see"). The base topic is
// configurable (mqtt.baseTopic, default `har`); every name below is built from it.
//
//   <base>/<deviceId>/imu       sample batches in (JSON or binary, see README.md)
//   <base>/<deviceId>/battery   battery reports in (JSON, see README.md)
//   <base>/<deviceId>/activity  prediction out, retained
//   <base>/<deviceId>/mode      operating mode out, retained
//   <base>/gateway/state        `online` / `offline`, retained, also the last will
import { DEVICE_ID_PATTERN } from './sample-batch.ts';

/** Topic kinds a device publishes (inbound to the gateway). */
export const INBOUND_KINDS = ['imu', 'battery'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

/** Payloads of `<base>/gateway/state`. */
export const GATEWAY_ONLINE = 'online';
export const GATEWAY_OFFLINE = 'offline';

/** The reserved level under the base topic; not a valid device id for inbound topics. */
export const GATEWAY_LEVEL = 'gateway';

export function imuTopic(base: string, deviceId: string): string {
  return `${base}/${deviceId}/imu`;
}
export function batteryTopic(base: string, deviceId: string): string {
  return `${base}/${deviceId}/battery`;
}
export function activityTopic(base: string, deviceId: string): string {
  return `${base}/${deviceId}/activity`;
}
export function modeTopic(base: string, deviceId: string): string {
  return `${base}/${deviceId}/mode`;
}
export function gatewayStateTopic(base: string): string {
  return `${base}/${GATEWAY_LEVEL}/state`;
}

/** Subscription filters for everything devices publish. */
export function inboundFilters(base: string): string[] {
  return INBOUND_KINDS.map((kind) => `${base}/+/${kind}`);
}

export type ParsedInboundTopic =
  | { readonly ok: true; readonly deviceId: string; readonly kind: InboundKind }
  | { readonly ok: false; readonly reason: string };

/**
 * Splits an inbound topic into device id and kind. Anything that is not exactly
 * `<base>/<deviceId>/<imu|battery>` with a device id matching DEVICE_ID_PATTERN (and not the
 * reserved `gateway` level) is rejected with a reason.
 */
export function parseInboundTopic(base: string, topic: string): ParsedInboundTopic {
  const prefix = `${base}/`;
  if (!topic.startsWith(prefix)) return { ok: false, reason: `not under ${base}/` };
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'expected <deviceId>/<kind> after the base topic' };
  const deviceId = rest.slice(0, slash);
  const kind = rest.slice(slash + 1);
  if (!(INBOUND_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, reason: `unknown kind level "${kind.slice(0, 32)}" (expected ${INBOUND_KINDS.join(' or ')})` };
  }
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    return { ok: false, reason: `device id "${deviceId.slice(0, 64)}" does not match ${String(DEVICE_ID_PATTERN)}` };
  }
  if (deviceId === GATEWAY_LEVEL) return { ok: false, reason: `"${GATEWAY_LEVEL}" is reserved` };
  return { ok: true, deviceId, kind: kind as InboundKind };
}
