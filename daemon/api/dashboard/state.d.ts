// Types of state.js for the node tests (the browser loads the .js as is; no build step).
export const TIMELINE_WINDOWS: number;

export interface TimelineEntry {
  readonly windowSeq: number;
  readonly classIndex: number;
  readonly className: string;
  readonly exitTaken: number;
  readonly margin: number;
}

export interface DeviceView {
  readonly deviceId: string;
  windows: number;
  last: Record<string, unknown> | null;
  timeline: TimelineEntry[];
  errors: Record<string, number>;
  battery: Record<string, unknown> | null;
  mode: Record<string, unknown> | null;
  lastErrorDetail: string | null;
  /** Page clock when its latest prediction arrived (null: none since the page opened). */
  lastWindowAtMs: number | null;
  quiet?: boolean;
}

export interface DashboardState {
  modelId: string | null;
  classes: string[];
  counters: Record<string, unknown> | null;
  health: Record<string, unknown> | null;
  devices: Map<string, DeviceView>;
  dropped: Record<string, number>;
  received: Record<string, number>;
  dirtyDevices: Set<string>;
  statusDirty: boolean;
  devicesReset: boolean;
}

export function createState(): DashboardState;
export function applyMessage(state: DashboardState, text: string, nowMs?: number | null): boolean;
export function updateQuiet(state: DashboardState, nowMs: number, quietMs: number): string[];
export function applyHealth(state: DashboardState, body: unknown): void;
export function total(record: unknown): number;
export function takeChanges(state: DashboardState): { devices: string[]; status: boolean; reset: boolean };
