/**
 * The one cache folder for real dependencies the project builds or downloads (Kubernetes binaries,
 * containerd, images, the Infinispan server, an S3 server, …). It lives OUTSIDE the checkout so that a
 * fresh clone (CI) on the same machine reuses it:
 *
 *   $SESSION_DATABASE_CACHE                 when set (the one override)
 *   $XDG_CACHE_HOME/session-database        when XDG_CACHE_HOME is set
 *   ~/.cache/session-database               otherwise
 *
 * Each dependency keeps its files under `<cache>/<name>/<version>/`, so a version bump builds anew and
 * an unchanged version is never rebuilt. Run directly (`tsx scripts/cache.ts`) to print the folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const CACHE_ENV = 'SESSION_DATABASE_CACHE';

export function cacheRoot(): string {
  const override = process.env[CACHE_ENV];
  if (override) return path.resolve(override);
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 'session-database');
}

/** `<cache>/<name>/<version>`, created on first use. */
export function cacheDir(name: string, version: string): string {
  const dir = path.join(cacheRoot(), name, version);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

if (require.main === module) console.log(cacheRoot());
