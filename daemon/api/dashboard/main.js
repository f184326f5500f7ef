// Entry point: wires the WebSocket (connection.js), the model (state.js), the renderer
// (render.js) and a periodic GET /health for the MQTT state (not part of `stats`).
import { connect, socketUrl } from './connection.js';
import { createRenderer } from './render.js';
import { applyHealth, applyMessage, createState } from './state.js';

/** /health is polled this often for the MQTT state and engine (stats carry the counters). */
const HEALTH_INTERVAL_MS = 5_000;

const state = createState();
let connection = { state: 'connecting', attempt: 0, retryInMs: null };
const statusRoot = document.getElementById('status');
const renderer = createRenderer({
  state,
  statusRoot,
  deviceList: document.getElementById('devices'),
  emptyNote: document.getElementById('no-devices'),
  legend: document.getElementById('legend'),
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
    applyMessage(state, text);
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
void pollHealth();
