// The `har-gateway` command line. Each command group lives in its own module under
// `commands/` and registers itself on the program; this file only assembles them.
import { Command, CommanderError } from 'commander';
import { commandModules } from './commands/index.ts';
import { CliExit } from './exit.ts';

export function buildProgram(): Command {
  const program = new Command('har-gateway')
    .description('Edge gateway for human-activity recognition on wearables')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commandModules) register(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code (never calls process.exit itself). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CliExit) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof CommanderError) {
      // help and version are "errors" with exit code 0 under exitOverride
      return err.exitCode;
    }
    process.stderr.write(`har-gateway: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
