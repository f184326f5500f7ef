// The WebSocket to the same host (daemon/api/websocket-server.ts serves both), reconnecting with
// capped exponential backoff and jitter when the daemon restarts or the network drops.

/** First retry delay; doubles per failed attempt up to RECONNECT_MAX_MS. */
export const RECONNECT_MIN_MS = 500;
/** A restarting daemon on a Pi is back within seconds; never wait longer than this. */
export const RECONNECT_MAX_MS = 15_000;

/** Delay before reconnect attempt `attempt` (0-based): min * 2^attempt, capped, minus up to 25 % jitter. */
export function backoffMs(attempt, random = Math.random) {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(attempt, 16));
  return Math.round(base * (1 - 0.25 * random()));
}

/** ws:// or wss:// URL of the API on the page's own host. */
export function socketUrl(location) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * Keeps one WebSocket open. `onMessage(text)` per message; `onStatus({state, attempt, retryInMs})`
 * with state 'connecting' | 'open' | 'closed'. Returns `{close()}`.
 */
export function connect(url, { onMessage, onStatus, WebSocketImpl = WebSocket, setTimer = setTimeout, clearTimer = clearTimeout }) {
  let attempt = 0;
  let socket = null;
  let timer = null;
  let closed = false;

  const open = () => {
    timer = null;
    onStatus({ state: 'connecting', attempt, retryInMs: null });
    const ws = new WebSocketImpl(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      onStatus({ state: 'open', attempt, retryInMs: null });
    };
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') onMessage(event.data);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      const retryInMs = backoffMs(attempt);
      attempt += 1;
      onStatus({ state: 'closed', attempt, retryInMs });
      timer = setTimer(open, retryInMs);
    };
    ws.onerror = () => {
      // a close event follows; the retry is scheduled there
    };
  };
  open();
  return {
    close() {
      closed = true;
      if (timer !== null) clearTimer(timer);
      socket?.close();
    },
  };
}
