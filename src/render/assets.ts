import * as fs from 'fs';
import * as path from 'path';

/** The project root: the nearest folder above this module with a package.json. */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
})();

const cache = new Map<string, string>();

/** A runtime file kept in the repo (conf, acl, sh, json), by path from the project root. */
export function readAsset(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = fs.readFileSync(path.join(PROJECT_ROOT, relativePath), 'utf8');
    cache.set(relativePath, text);
  }
  return text;
}
