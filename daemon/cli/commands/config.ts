// `har-gateway config`: check a configuration file, print the effective configuration, its JSON
// schema, or the Markdown configuration reference — all generated from daemon/config/schema.ts.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { CliExit } from '../exit.ts';
import { loadConfig } from '../../config/load.ts';
import { ConfigError } from '../../config/errors.ts';
import { configJsonSchema } from '../../config/json-schema.ts';
import { configReferenceMarkdown } from '../../config/reference.ts';

/** Exit code of `config check` on an invalid or unreadable file. */
export const EXIT_CONFIG_INVALID = 1;

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check a configuration file, print its JSON schema or the configuration reference');

  config
    .command('check')
    .description('validate a configuration file: prints "ok" (exit 0) or one `path: message` line per problem (exit 1)')
    .argument('<file>', 'YAML configuration file')
    .action(async (file: string) => {
      await loadOrExit(file);
      process.stdout.write('ok\n');
    });

  config
    .command('print')
    .description('print the effective configuration (the file with every default filled in) as YAML')
    .argument('[file]', 'YAML configuration file (default: the embedded config/default.yaml)')
    .action(async (file?: string) => {
      process.stdout.write(stringify(await loadOrExit(file)));
    });

  config
    .command('schema')
    .description('print the JSON schema of the configuration file (generated from the zod schema)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });

  config
    .command('reference')
    .description('print the Markdown configuration reference (generated from the zod schema)')
    .action(() => {
      process.stdout.write(`${configReferenceMarkdown()}\n`);
    });
}

async function loadOrExit(file: string | undefined): ReturnType<typeof loadConfig> {
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${file ?? 'config/default.yaml'}: invalid configuration\n`);
      throw new CliExit(EXIT_CONFIG_INVALID, err.lines.join('\n'));
    }
    throw err;
  }
}
