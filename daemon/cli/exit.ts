// A command ends with a specific exit code by throwing CliExit; main() turns it into the code.

/** Exit code of a command that a later piece of work fills in: it exists, does nothing, says so. */
export const EXIT_NOT_AVAILABLE = 2;

export class CliExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.name = 'CliExit';
    this.exitCode = exitCode;
  }
}

/** For commands whose implementation has not landed: a plain statement, exit code 2. */
export function notAvailable(command: string, what: string): never {
  throw new CliExit(EXIT_NOT_AVAILABLE, `har-gateway ${command}: not available yet (${what}).`);
}
