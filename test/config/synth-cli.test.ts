import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../../src/render/assets';

const MAIN = path.join(PROJECT_ROOT, 'lib', 'main.js');

beforeAll(() => {
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect(build.status).toBe(0);
});

/** What every scratch env file needs besides the case at hand. */
const VALID = 'auth:\n  existingSecret: session-database-auth\nargocd:\n  repoURL: https://git.example.com/session-database.git\n';

const scratchRoots: string[] = [];
afterAll(() => {
  for (const root of scratchRoots) fs.rmSync(root, { recursive: true, force: true });
});

/** A scratch checkout: package.json, values/ and an existing dist/ that must survive bad input. */
function scratchRoot(values: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-synth-'));
  scratchRoots.push(root);
  fs.copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(root, 'package.json'));
  fs.mkdirSync(path.join(root, 'values'));
  for (const [name, text] of Object.entries(values)) fs.writeFileSync(path.join(root, 'values', `${name}.yaml`), text);
  fs.mkdirSync(path.join(root, 'dist', 'dev'), { recursive: true });
  fs.writeFileSync(path.join(root, 'dist', 'dev', 'previous.yaml'), 'kept: true\n');
  return root;
}

function synth(root: string, ...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...process.env, SESSION_DATABASE_ROOT: root },
    encoding: 'utf8',
  });
}

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

describe('npm run synth', () => {
  test('bad input prints only the clear messages, exits non-zero and writes nothing', () => {
    const root = scratchRoot({
      dev: `${VALID}redis:\n  mode: standalone\n  replicas: 1\n`,
      production: `${VALID}redis:\n  sentinel:\n    quorum: 4\n  persistence:\n    size: 4gb\n`,
    });
    const before = tree(root);
    const result = synth(root);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'synth: invalid configuration, nothing was written:\n' +
        '  values/production.yaml: redis.persistence.size is "4gb" but must be a Kubernetes quantity such as 500m, 2, 256Mi or 8Gi\n',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(tree(root)).toEqual(before);
  });

  test('an unknown environment on the command line is an error and writes nothing', () => {
    const root = scratchRoot({ dev: `${VALID}redis:\n  mode: standalone\n  replicas: 1\n` });
    const before = tree(root);
    const result = synth(root, 'staging');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('values/staging.yaml: no such environment file; known environments: dev');
    expect(tree(root)).toEqual(before);
  });

  test('good input replaces the outputs whole and leaves no temp dirs', () => {
    const root = scratchRoot({ dev: `${VALID}redis:\n  mode: standalone\n  replicas: 1\n` });
    const result = synth(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^dev +redis standalone: /m);
    const files = tree(root);
    expect(files).not.toContain('dist/dev/previous.yaml');
    expect(files).toContain('dist/dev/redis.yaml');
    expect(files).toContain('charts/session-database/Chart.yaml');
    expect(files.filter((f) => f.startsWith('.synth-tmp'))).toEqual([]);
  });
});
