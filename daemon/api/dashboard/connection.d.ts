// Types of connection.js for the node tests.
export const RECONNECT_MIN_MS: number;
export const RECONNECT_MAX_MS: number;
export function backoffMs(attempt: number, random?: () => number): number;
export function socketUrl(location: { protocol: string; host: string }): string;

export interface ConnectionStatus {
  readonly state: 'connecting' | 'open' | 'closed';
  readonly attempt: number;
  readonly retryInMs: number | null;
}

export interface SocketLike {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
  close(): void;
}

export function connect(
  url: string,
  options: {
    onMessage: (text: string) => void;
    onStatus: (status: ConnectionStatus) => void;
    WebSocketImpl?: new (url: string) => SocketLike;
    setTimer?: (fn: () => void, ms: number) => unknown;
    clearTimer?: (timer: unknown) => void;
  },
): { close(): void };
