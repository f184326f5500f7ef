// Store.recordBudget: battery-budget rows are buffered, committed with the predictions, read back
// in time order per device, counted, and kept for a retry when a commit fails.
import { describe, expect, it } from 'vitest';
import { Store } from '../../../../daemon/store/store.ts';
import type { DecisionRow, ProjectionRow } from '../../../../daemon/budget/messages.ts';

function decision(deviceId: string, atMs: number, modeIndex: number): DecisionRow {
  return {
    device_id: deviceId,
    at_ms: atMs,
    trigger: 'windows',
    mode_index: modeIndex,
    threshold: modeIndex * 10,
    previous_mode_index: null,
    changed: 1,
    held: 0,
    status: 'feasible',
    budget_per_window_uj: 7.5,
    mode_energy_uj: 6,
    shortfall_per_window_uj: null,
    reason: `mode ${modeIndex} fits`,
  };
}

function projection(deviceId: string, atMs: number): ProjectionRow {
  return {
    device_id: deviceId,
    at_ms: atMs,
    charge_fraction: 0.5,
    charge_sigma: 0.02,
    usable_remaining_uj: 1e6,
    current_mode_index: 1,
    current_mode_empty_at_ms: atMs + 1e9,
    planned_empty_at_ms: null,
    recent_power_uw: null,
    recent_empty_at_ms: null,
    target_end_ms: atMs + 2e9,
    target_power_uw: null,
    modes_json: '[]',
  };
}

function memoryStore(batchRows = 100): Store {
  return new Store({ dataDir: ':memory:', flushIntervalMs: 60_000, batchRows, retentionDays: 0, now: () => 1000 });
}

describe('Store budget rows', () => {
  it('buffers decisions and projections until a flush, then reads them per device in time order', async () => {
    const store = memoryStore();
    await store.start();
    store.recordBudget({ decisionRow: decision('b', 20, 2), projectionRow: projection('b', 20) });
    store.recordBudget({ decisionRow: null, projectionRow: projection('a', 30) });
    store.recordBudget({ decisionRow: decision('a', 10, 1), projectionRow: projection('a', 10) });
    expect(store.stats()).toMatchObject({ pendingRows: 5, budgetDecisionsWritten: 0 });
    expect(store.budgetDecisions()).toEqual([]);
    store.flush();
    expect(store.stats()).toMatchObject({ pendingRows: 0, budgetDecisionsWritten: 2, budgetProjectionsWritten: 3, flushes: 1 });
    expect(store.budgetDecisions()).toEqual([decision('a', 10, 1), decision('b', 20, 2)]);
    expect(store.budgetProjections('a')).toEqual([projection('a', 10), projection('a', 30)]);
    await store.stop();
  });

  it('commits at once when the buffered rows reach batchRows', async () => {
    const store = memoryStore(3);
    await store.start();
    store.recordBudget({ decisionRow: decision('a', 1, 0), projectionRow: projection('a', 1) });
    expect(store.stats().budgetDecisionsWritten).toBe(0);
    store.recordBudget({ decisionRow: null, projectionRow: projection('a', 2) });
    expect(store.stats()).toMatchObject({ budgetDecisionsWritten: 1, budgetProjectionsWritten: 2, pendingRows: 0 });
    await store.stop();
  });

  it('keeps the rows for the next flush when a commit fails', async () => {
    const errors: Error[] = [];
    const failing = new Store({ dataDir: ':memory:', flushIntervalMs: 60_000, batchRows: 100, retentionDays: 0, now: () => 1000, onWriteError: (e) => errors.push(e) });
    await failing.start();
    // a row that breaks the NOT NULL constraint of reason fails the whole transaction
    failing.recordBudget({ decisionRow: { ...decision('a', 1, 0), reason: null as unknown as string }, projectionRow: projection('a', 1) });
    failing.flush();
    expect(errors).toHaveLength(1);
    expect(failing.stats()).toMatchObject({ writeFailures: 1, pendingRows: 2, budgetProjectionsWritten: 0 });
    await failing.stop().catch(() => undefined);
  });
});
