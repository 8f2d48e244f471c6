/**
 * A pinned PyPI package in a virtualenv of its own under `<cache>/python/<package>-<version>/`
 * (scripts/cache.ts), installed with pip on first use. A `.complete` stamp is written last, so a warm
 * cache downloads nothing and a half-done install is redone. Needs python3 with venv (.ci/run).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir } from '../cache';
import { withFileLock } from '../cluster/lock';

const STAMP = '.complete';

export interface PinnedPackage {
  readonly package: string;
  readonly version: string;
}

/** The virtualenv's directory, with the package installed; `check` runs once after the install. */
export async function pinnedVenv(pkg: PinnedPackage, check: (venv: string) => void): Promise<string> {
  const dir = cacheDir('python', `${pkg.package}-${pkg.version}`);
  const venv = path.join(dir, 'venv');
  if (fs.existsSync(path.join(dir, STAMP))) return venv;
  return withFileLock(path.join(dir, 'install.lock'), `install ${pkg.package}`, async () => {
    if (fs.existsSync(path.join(dir, STAMP))) return venv;
    fs.rmSync(venv, { recursive: true, force: true });
    process.stderr.write(`[python] installing ${pkg.package}==${pkg.version} from PyPI into ${venv}\n`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `${pkg.package}==${pkg.version}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    check(venv);
    fs.writeFileSync(path.join(dir, STAMP), new Date().toISOString() + '\n');
    return venv;
  });
}
