/**
 * The pre-commit framework and the scanners its hooks run (detect-secrets, shellcheck, yamllint,
 * checkov), from PyPI at the versions of requirements.txt, in a venv under
 * `<cache>/python/<hash of requirements.txt and the Python version>`. A stamp written last marks a
 * finished install, so a warm cache downloads nothing. Run directly (`npm run precommit:tools`) to
 * install and print the venv's bin folder.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir } from '../cache';
import { withFileLock } from '../cluster/lock';

export const REQUIREMENTS = path.join(__dirname, 'requirements.txt');
const PYTHON = process.env.PYTHON || 'python3';

function pythonVersion(): string {
  return execFileSync(PYTHON, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).trim();
}

/** The venv folder for these requirements and this Python (not created). */
export function venvDir(): string {
  const key = crypto.createHash('sha256').update(`${pythonVersion()}\n${fs.readFileSync(REQUIREMENTS, 'utf8')}`).digest('hex').slice(0, 16);
  return path.join(cacheDir('python', key), 'venv');
}

/** The bin folder of the installed tools, installing them first when the cache is cold. */
export async function precommitTools(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const venv = venvDir();
  const stamp = path.join(path.dirname(venv), 'installed');
  const bin = path.join(venv, 'bin');
  if (fs.existsSync(stamp)) return bin;
  return withFileLock(path.join(path.dirname(venv), 'lock'), 'pre-commit tools install', async () => {
    if (fs.existsSync(stamp)) return bin;
    fs.rmSync(venv, { recursive: true, force: true });
    log(`[precommit] installing ${REQUIREMENTS} into ${venv} (once per version)`);
    const started = Date.now();
    execFileSync(PYTHON, ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(path.join(bin, 'pip'), ['install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', REQUIREMENTS], { stdio: 'inherit' });
    fs.writeFileSync(stamp, `${new Date().toISOString()} ${((Date.now() - started) / 1000).toFixed(0)}s\n`);
    return bin;
  });
}

/** The environment the hooks run in: the tools and this checkout's Helm first on PATH, nothing phoned home. */
export function precommitEnv(bin: string, root: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: [bin, path.join(root, '.tools', 'helm3'), process.env.PATH].join(path.delimiter),
    // pre-commit's own cache (it installs nothing for local hooks) next to the tools, not in ~/.cache/pre-commit.
    PRE_COMMIT_HOME: path.join(path.dirname(path.dirname(bin)), 'pre-commit-home'),
    SESSION_DATABASE_PRECOMMIT_BIN: bin,
  };
}

if (require.main === module) {
  precommitTools().then((bin) => console.log(bin)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
