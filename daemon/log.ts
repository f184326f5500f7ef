// The daemon's logger: pino, one instance made by the composition root and passed down (no
// module-level singleton). Two formats: `json` (pino's JSON lines, for machines and tests) and
// `pretty` (one readable line per record: time, level, message, then key=value pairs). The
// format follows HAR_LOG_FORMAT when set, else `pretty` on a terminal and `json` otherwise.
import { Writable } from 'node:stream';
import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  readonly format?: LogFormat;
  /** Where lines go (default: stdout). */
  readonly destination?: NodeJS.WritableStream;
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
/** Keys of a pino record that the pretty line shows in its fixed part. */
const FIXED_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env, isTty: boolean = process.stdout.isTTY === true): LogFormat {
  if (env.HAR_LOG_FORMAT === 'json' || env.HAR_LOG_FORMAT === 'pretty') return env.HAR_LOG_FORMAT;
  return isTty ? 'pretty' : 'json';
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const format = options.format ?? defaultLogFormat();
  const base = { level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.epochTime };
  if (format === 'json') return pino(base, destination as pino.DestinationStream);
  return pino(base, prettyStream(destination));
}

/** Formats one pino JSON record as a readable line. */
export function prettyLine(record: Record<string, unknown>): string {
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '--:--:--.---';
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const extras = Object.entries(record)
    .filter(([key]) => !FIXED_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const msg = typeof record.msg === 'string' ? record.msg : JSON.stringify(record.msg ?? '');
  return [time, level, msg, ...extras].join(' ');
}

function prettyStream(destination: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const lines = chunk.toString('utf8').split('\n').filter((l) => l.length > 0);
      const out = lines.map((line) => {
        try {
          return prettyLine(JSON.parse(line) as Record<string, unknown>);
        } catch {
          return line;
        }
      });
      destination.write(`${out.join('\n')}\n`, () => callback());
    },
  });
}
