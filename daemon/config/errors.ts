// Configuration errors: the daemon refuses to start with one of these. `lines` are the
// `path: message` lines shown to the user (one per problem).
export type ConfigErrorCode = 'config-unreadable' | 'config-yaml' | 'config-invalid';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly lines: readonly string[];
  constructor(code: ConfigErrorCode, source: string, lines: readonly string[], options?: { cause?: unknown }) {
    super(`${source}: invalid configuration\n${lines.map((l) => `  ${l}`).join('\n')}`, options);
    this.name = 'ConfigError';
    this.code = code;
    this.lines = lines;
  }
}
