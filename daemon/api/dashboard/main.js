// Entry point: wires the WebSocket (connection.js), the model (state.js), the renderer
// (render.js) and a periodic GET /health for the MQTT state (not part of `stats`).
import { connect, socketUrl } from './connection.js';
import { createRenderer } from './render.js';
import { applyHealth, applyMessage, createState, updateQuiet } from './state.js';

/** /health is polled this often for the MQTT state and engine (stats carry the counters). */
const HEALTH_INTERVAL_MS = 5_000;
/** A device with no window for this long is marked quiet (a wearable sends one every ~1.3 s); `?quietS=N` overrides. */
const DEFAULT_QUIET_S = 30;

/** `?quietS=N` (1..86400), else the default. */
function quietAfterMs(search) {
  const value = Number(new URLSearchParams(search).get('quietS'));
  return Number.isFinite(value) && value >= 1 && value <= 86_400 ? value * 1000 : DEFAULT_QUIET_S * 1000;
}
const QUIET_AFTER_MS = quietAfterMs(window.location.search);
/** How often the quiet marks are re-checked. */
const QUIET_CHECK_MS = Math.min(5_000, QUIET_AFTER_MS / 2);

const state = createState();
let connection = { state: 'connecting', attempt: 0, retryInMs: null };
const statusRoot = document.getElementById('status');
const renderer = createRenderer({
  state,
  statusRoot,
  deviceList: document.getElementById('devices'),
  emptyNote: document.getElementById('no-devices'),
  legend: document.getElementById('legend'),
  atRisk: document.getElementById('at-risk'),
  connection: () => connection,
});

async function pollHealth() {
  try {
    const res = await fetch('/health', { cache: 'no-store' });
    applyHealth(state, res.ok ? await res.json() : null);
  } catch {
    applyHealth(state, null);
  }
  renderer.schedule();
}

connect(socketUrl(window.location), {
  onMessage(text) {
    applyMessage(state, text, performance.now());
    renderer.schedule();
  },
  onStatus(status) {
    connection = status;
    state.statusDirty = true;
    if (status.state === 'open') void pollHealth();
    renderer.schedule();
  },
});
setInterval(() => void pollHealth(), HEALTH_INTERVAL_MS);
setInterval(() => {
  if (updateQuiet(state, performance.now(), QUIET_AFTER_MS).length) renderer.schedule();
}, QUIET_CHECK_MS);
void pollHealth();
