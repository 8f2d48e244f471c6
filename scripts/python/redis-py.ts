/**
 * redis-py (PyPI `redis`, pinned) for the client-contract tests: a Python app configured only from the
 * contract. `npx tsx scripts/python/redis-py.ts` installs it if missing and prints the python path.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { pinnedVenv } from './venv';

export const REDIS_PY = { package: 'redis', version: '5.2.1' } as const;

/** The python of a virtualenv with redis-py installed. */
export async function redisPyPython(): Promise<string> {
  const venv = await pinnedVenv(REDIS_PY, (dir) => execFileSync(path.join(dir, 'bin', 'python'), ['-c', 'import redis'], { stdio: 'ignore' }));
  return path.join(venv, 'bin', 'python');
}

if (require.main === module) {
  redisPyPython().then(
    (python) => console.log(python),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
