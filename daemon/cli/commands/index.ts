// The command groups of the CLI, in the order `--help` lists them.
import type { Command } from 'commander';
import { registerStart } from './start.ts';
import { registerConfig } from './config.ts';
import { registerSimulate } from './simulate.ts';
import { registerModels } from './models.ts';
import { registerEval } from './eval.ts';
import { registerMcu } from './mcu.ts';
import { registerBudget } from './budget.ts';
import { registerReplay } from './replay.ts';
import { registerBle } from './ble.ts';
import { registerBench } from './bench.ts';

export const commandModules: ReadonlyArray<(program: Command) => void> = [
  registerStart,
  registerConfig,
  registerSimulate,
  registerModels,
  registerEval,
  registerMcu,
  registerBudget,
  registerReplay,
  registerBle,
  registerBench,
];
