// Loading the configuration: one YAML file, validated by the one zod schema (schema.ts).
// Every problem becomes one `path: message (line N)` line; unknown keys are errors.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.ts';
import { ConfigError } from './errors.ts';

/** config/default.yaml: the configuration used when none is given. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));

/** Reads and validates a configuration file (the embedded default when `path` is undefined). */
export async function loadConfig(path: string = DEFAULT_CONFIG_PATH): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : String(err);
    throw new ConfigError('config-unreadable', path, [`cannot read ${path} (${reason})`], { cause: err });
  }
  return parseConfig(text, path);
}

/** Parses YAML text and validates it; an empty document means "all defaults". */
export function parseConfig(text: string, source = '<config>'): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      return `${pos ? `line ${pos.line}` : 'yaml'}: ${message}`;
    });
    throw new ConfigError('config-yaml', source, lines);
  }
  const value: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError('config-invalid', source, issueLines(result.error.issues, doc, lineCounter));
  return result.data;
}

/** Validates a plain object (tests, programmatic use); same lines as parseConfig. */
export function validateConfig(value: unknown, source = '<config>'): Config {
  const result = configSchema.safeParse(value ?? {});
  if (!result.success) throw new ConfigError('config-invalid', source, issueLines(result.error.issues));
  return result.data;
}

function issueLines(issues: readonly z.core.$ZodIssue[], doc?: Document, lineCounter?: LineCounter): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        lines.push(`${formatPath(path)}: unknown key${where(path, doc, lineCounter)}`);
      }
    } else {
      const path = issue.path;
      lines.push(`${formatPath(path) || '(root)'}: ${issue.message}${where(path, doc, lineCounter)}`);
    }
  }
  return lines;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

function where(path: readonly PropertyKey[], doc?: Document, lineCounter?: LineCounter): string {
  if (!doc || !lineCounter) return '';
  // the line of the key itself; a missing key is reported at the nearest ancestor that exists
  for (let n = path.length; n >= 1; n--) {
    const parent: unknown = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1) as unknown[], true);
    if (!isMap(parent)) continue;
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(path[n - 1]));
    if (pair && isNode(pair.key) && pair.key.range) return ` (line ${lineCounter.linePos(pair.key.range[0]).line})`;
  }
  return '';
}
