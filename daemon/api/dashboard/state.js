// The dashboard's model: a pure reducer over the WebSocket envelopes (daemon/api/envelopes.ts,
// daemon/budget/messages.ts). No DOM here, so node tests import it as is. Every accepted
// envelope marks what it changed (`dirtyDevices`, `statusDirty`) so the renderer redraws only
// that, once per animation frame. Malformed or unknown messages are counted, never thrown.

/** Windows kept per device for its activity timeline (the last N predictions). */
export const TIMELINE_WINDOWS = 48;

/** @returns {DashboardState} */
export function createState() {
  return {
    modelId: null,
    classes: [],
    /** Latest gateway counters (`stats`, or the snapshot's). */
    counters: null,
    /** Latest GET /health body (MQTT state, engine). */
    health: null,
    /** deviceId -> device view model, in order of first appearance. */
    devices: new Map(),
    /** Messages the page could not use, by reason (validated at the edge, counted). */
    dropped: {},
    /** Envelopes applied, by type. */
    received: {},
    dirtyDevices: new Set(),
    statusDirty: true,
    /** A snapshot replaced the device list: the renderer rebuilds the cards. */
    devicesReset: true,
  };
}

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(record, key) {
  record[key] = (record[key] ?? 0) + 1;
}

function newDevice(deviceId) {
  return { deviceId, windows: 0, last: null, timeline: [], errors: {}, battery: null, mode: null, lastErrorDetail: null, lastWindowAtMs: null };
}

function device(state, deviceId) {
  let d = state.devices.get(deviceId);
  if (!d) {
    d = newDevice(deviceId);
    state.devices.set(deviceId, d);
    state.statusDirty = true;
  }
  state.dirtyDevices.add(deviceId);
  return d;
}

function timelineEntry(p) {
  return { windowSeq: p.windowSeq, classIndex: p.classIndex, className: p.className, exitTaken: p.exitTaken, margin: p.margin };
}

function pushTimeline(d, p) {
  const lastSeq = d.timeline.at(-1)?.windowSeq;
  if (lastSeq !== undefined && p.windowSeq <= lastSeq && p.segment === d.last?.segment) return; // a repeat (snapshot after a delta)
  d.timeline.push(timelineEntry(p));
  if (d.timeline.length > TIMELINE_WINDOWS) d.timeline.splice(0, d.timeline.length - TIMELINE_WINDOWS);
}

function isPrediction(p) {
  return isObject(p) && typeof p.deviceId === 'string' && typeof p.className === 'string' && Number.isFinite(p.classIndex) && Number.isFinite(p.windowSeq) && Number.isFinite(p.margin);
}

function applySnapshot(state, e) {
  if (!Array.isArray(e.devices)) return 'snapshot without devices';
  state.modelId = typeof e.modelId === 'string' ? e.modelId : null;
  state.classes = Array.isArray(e.classes) ? e.classes.filter((c) => typeof c === 'string') : [];
  if (isObject(e.counters)) state.counters = e.counters;
  // a snapshot is the whole truth at (re)connect: devices the gateway forgot (restart) go
  const previous = state.devices;
  state.devices = new Map();
  for (const s of e.devices) {
    if (!isObject(s) || typeof s.deviceId !== 'string') {
      count(state.dropped, 'snapshot device without deviceId');
      continue;
    }
    const d = newDevice(s.deviceId);
    const before = previous.get(s.deviceId);
    d.windows = Number.isFinite(s.windows) ? s.windows : 0;
    d.errors = isObject(s.errors) ? { ...s.errors } : {};
    d.battery = isObject(s.battery) ? s.battery : null;
    d.mode = isObject(s.mode) ? s.mode : null;
    if (isPrediction(s.lastPrediction)) {
      d.last = s.lastPrediction;
      // keep the timeline seen before a reconnect when it is the same run of windows
      if (before && before.last && before.last.windowSeq <= d.last.windowSeq) d.timeline = before.timeline.slice();
      pushTimeline(d, d.last);
    }
    state.devices.set(d.deviceId, d);
  }
  state.devicesReset = true;
  state.statusDirty = true;
  state.dirtyDevices = new Set(state.devices.keys());
  return null;
}

function applyPrediction(state, e, nowMs) {
  if (!isPrediction(e)) return 'prediction without deviceId/classIndex/className/windowSeq/margin';
  const d = device(state, e.deviceId);
  d.lastWindowAtMs = nowMs;
  d.windows += 1;
  pushTimeline(d, e);
  d.last = e;
  return null;
}

function applyError(state, e) {
  if (typeof e.deviceId !== 'string' || typeof e.kind !== 'string') return 'error without deviceId/kind';
  const d = device(state, e.deviceId);
  d.errors[e.kind] = Number.isFinite(e.count) ? e.count : (d.errors[e.kind] ?? 0) + 1;
  d.lastErrorDetail = typeof e.detail === 'string' ? `${e.kind}: ${e.detail}` : e.kind;
  return null;
}

function applyBattery(state, e) {
  if (typeof e.deviceId !== 'string' || !Number.isFinite(e.chargePct) || !isObject(e.projection)) return 'battery without deviceId/chargePct/projection';
  device(state, e.deviceId).battery = e;
  return null;
}

function applyMode(state, e) {
  if (typeof e.deviceId !== 'string' || !Number.isFinite(e.modeIndex) || typeof e.status !== 'string') return 'mode without deviceId/modeIndex/status';
  device(state, e.deviceId).mode = e;
  return null;
}

function applyStats(state, e) {
  state.counters = e;
  state.statusDirty = true;
  return null;
}

const HANDLERS = { snapshot: applySnapshot, prediction: applyPrediction, error: applyError, stats: applyStats, battery: applyBattery, mode: applyMode };

/**
 * Applies one WebSocket message (text). Returns true when it was used; a message that is not
 * JSON, not an envelope, of an unknown type or missing the fields the page needs is counted in
 * `state.dropped` by reason. `nowMs` (the page's clock) stamps when a device's window arrived,
 * for `quietDevices`.
 */
export function applyMessage(state, text, nowMs = null) {
  let e;
  try {
    e = JSON.parse(text);
  } catch {
    count(state.dropped, 'not JSON');
    state.statusDirty = true;
    return false;
  }
  if (!isObject(e) || typeof e.type !== 'string') {
    count(state.dropped, 'not an envelope');
    state.statusDirty = true;
    return false;
  }
  const handler = Object.hasOwn(HANDLERS, e.type) ? HANDLERS[e.type] : undefined;
  const problem = handler ? handler(state, e, nowMs) : `unknown type ${e.type.slice(0, 40)}`;
  if (problem) {
    count(state.dropped, problem);
    state.statusDirty = true;
    return false;
  }
  count(state.received, e.type);
  return true;
}

/** Stores a GET /health body (null: the request failed). */
export function applyHealth(state, body) {
  state.health = isObject(body) ? body : null;
  state.statusDirty = true;
}

/** Sum of a {kind: count} record. */
export function total(record) {
  if (!isObject(record)) return 0;
  let sum = 0;
  for (const v of Object.values(record)) if (Number.isFinite(v)) sum += v;
  return sum;
}

/**
 * Devices whose last window arrived more than `quietMs` before `nowMs` (page clock), and those
 * that are no longer quiet; only devices whose quiet state changed are returned, and they are
 * marked dirty so the renderer redraws them.
 */
export function updateQuiet(state, nowMs, quietMs) {
  const changed = [];
  for (const d of state.devices.values()) {
    const quiet = d.lastWindowAtMs !== null && nowMs - d.lastWindowAtMs > quietMs;
    if (quiet !== (d.quiet === true)) {
      d.quiet = quiet;
      changed.push(d.deviceId);
      state.dirtyDevices.add(d.deviceId);
    }
  }
  return changed;
}

/** Takes the pending changes (the renderer's work list) and clears them. */
export function takeChanges(state) {
  const changes = { devices: [...state.dirtyDevices], status: state.statusDirty, reset: state.devicesReset };
  state.dirtyDevices = new Set();
  state.statusDirty = false;
  state.devicesReset = false;
  return changes;
}
