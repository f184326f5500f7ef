// `npm run bench -- budget [--scenario <name>] [--seed <n>]`: the battery budget on a simulated
// month (daemon/budget/scenarios.ts; made-up modes, no dataset). Prints per scenario: when the
// simulated battery empties vs the 30-day target, the plan's worst daily error, the worst daily
// gap between the estimated and the simulated charge (percentage points), mode switches
// per day (max and mean, and the dwell bound), the share of windows per mode, and the cost of
// the budget itself per window (µs, wall time, including the simulated battery).
import { parseArgs } from 'node:util';
import { simulate } from '../daemon/budget/simulation.ts';
import { SCENARIOS, SCENARIO_START_MS, SCENARIO_TARGET_S, monthScenario } from '../daemon/budget/scenarios.ts';
import { CONTROLLER_DEFAULTS, maxSwitchesPerDay } from '../daemon/budget/controller.ts';

const DAY_MS = 86_400_000;

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { scenario: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(`usage: har-gateway bench budget [--scenario ${Object.keys(SCENARIOS).join('|')}] [--seed <n>]`);
    return 0;
  }
  await Promise.resolve();
  const names = values.scenario ? [values.scenario] : Object.keys(SCENARIOS);
  const seed = values.seed === undefined ? 7 : Number(values.seed);
  const targetDays = SCENARIO_TARGET_S / 86_400;
  console.log(`battery budget, simulated month (target ${targetDays} d), seed ${seed}, node ${process.version}; switch bound ${maxSwitchesPerDay(CONTROLLER_DEFAULTS)}/day`);
  console.log('scenario                    end d  vs target  plan worst  charge err  switches/day max  mean  top modes (share)                 µs/window');
  for (const name of names) {
    const variant = SCENARIOS[name];
    if (!variant) {
      console.error(`no scenario "${name}" (have: ${Object.keys(SCENARIOS).join(', ')})`);
      return 1;
    }
    const t0 = performance.now();
    const r = simulate(monthScenario({ ...variant, seed }));
    const wallMs = performance.now() - t0;
    const endDays = ((r.trueEmptyAtMs ?? r.endedAtMs) - SCENARIO_START_MS) / DAY_MS;
    const planErrors = r.days
      .slice(0, Math.max(1, Math.floor(endDays) - 1))
      .map((d) => (d.plannedEmptyAtMs === null ? Number.POSITIVE_INFINITY : Math.abs((d.plannedEmptyAtMs - SCENARIO_START_MS) / DAY_MS - targetDays) / targetDays));
    const chargeErrorPts = Math.max(...r.days.map((d) => Math.abs(d.estimatedFraction - d.trueFraction) * 100));
    const switches = r.days.map((d) => d.switches);
    const shares = r.windowsPerMode
      .map((n, i) => ({ i, share: n / r.windows }))
      .filter((s) => s.share >= 0.01)
      .sort((a, b) => b.share - a.share)
      .slice(0, 4)
      .map((s) => `${s.i}:${(s.share * 100).toFixed(0)}%`)
      .join(' ');
    console.log(
      `${name.padEnd(26)} ${endDays.toFixed(2).padStart(6)}  ${(((endDays - targetDays) / targetDays) * 100).toFixed(2).padStart(7)} %  ${(Math.max(...planErrors) * 100).toFixed(2).padStart(8)} %  ${chargeErrorPts.toFixed(2).padStart(6)} pt  ${String(Math.max(...switches)).padStart(16)}  ${(switches.reduce((a, b) => a + b, 0) / switches.length).toFixed(1).padStart(4)}  ${shares.padEnd(32)}  ${((wallMs * 1000) / r.windows).toFixed(2).padStart(9)}`,
    );
  }
  console.log('(plan worst: the largest daily |planned end - target| / target before the last day; infeasible: the plan is the cheapest mode, so the error vs the target is expected)');
  return 0;
}
