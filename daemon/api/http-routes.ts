// Static routes of the live dashboard (daemon/api/dashboard/): `GET /` is its page, `GET
// /dashboard/<file>` its assets. Only the files present in that folder when the server starts
// are served, looked up by exact name in an allow-list: a path that is not one of those names
// (`..`, encoded slashes, sub-folders, unknown extensions) is a 404 — nothing is ever joined
// onto a file-system path from the request.
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the dashboard's files live (beside this module). */
export const DASHBOARD_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));

/** URL prefix of the dashboard's assets. */
export const DASHBOARD_PREFIX = '/dashboard/';

/** Served extensions and their content types; any other file in the folder is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** The page loads only its own assets and talks only to its own host (HTTP and WebSocket). */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

export class DashboardFilesError extends Error {
  readonly code = 'DASHBOARD_FILES';
}

/** Reads the dashboard's files once (a handful of small files) into an allow-list by URL path. */
export function loadDashboardFiles(dir: string = DASHBOARD_DIR): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch (err) {
    throw new DashboardFilesError(`cannot read the dashboard folder ${dir}: ${(err as Error).message}`, { cause: err });
  }
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType || name.startsWith('.')) continue;
    files.set(DASHBOARD_PREFIX + name, { body: readFileSync(join(dir, name)), contentType });
  }
  const index = files.get(`${DASHBOARD_PREFIX}index.html`);
  if (!index) throw new DashboardFilesError(`the dashboard folder ${dir} has no index.html`);
  files.set('/', index);
  return files;
}

/**
 * Answers a dashboard request (GET or HEAD of `/` or `/dashboard/<file>`); returns false when the
 * request is not one of those, for the caller's other routes or its 404.
 */
export function serveDashboard(files: ReadonlyMap<string, StaticFile>, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const file = files.get(path);
  if (!file) return false;
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': file.body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(file.contentType.startsWith('text/html') ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
  return true;
}
