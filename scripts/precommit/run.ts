/**
 * `npm run precommit [-- <pre-commit arguments>]`: pre-commit with the pinned tools of tools.ts; without
 * arguments the hooks of .pre-commit-config.yaml on every file (CI runs the same: test/precommit.test.ts).
 * `npm run precommit:install` installs the git hook.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { precommitEnv, precommitTools } from './tools';

const ROOT = path.join(__dirname, '..', '..');

precommitTools().then((bin) => {
  const args = process.argv.slice(2);
  const result = spawnSync(path.join(bin, 'pre-commit'), args.length ? args : ['run', '--all-files'], { cwd: ROOT, env: precommitEnv(bin, ROOT), stdio: 'inherit' });
  process.exit(result.status ?? 1);
});
