import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARGOCD_DIR } from '../src/argocd/applications';
import { CHART_DIR } from '../src/chart/chart-files';
import { PROJECT_ROOT } from '../src/render/assets';
import { synthesize } from '../src/synth/outputs';
import { IN_CI } from './support/binaries';

/**
 * The generated outputs are committed so that reviewers, `helm install` from a checkout and Argo CD all see
 * them. They must be exactly what a fresh synth produces. Under CI=true the reference is what was committed
 * (git HEAD: .ci/run has just rewritten the working tree with `npm run synth`); locally it is the working tree,
 * so a forgotten `npm run synth` shows up before the commit.
 */
const GENERATED_DIRS = ['dist', CHART_DIR, ARGOCD_DIR];
const DIFF_LINES = 60;

interface Committed {
  readonly source: string;
  files(): string[];
  read(file: string): string;
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

const gitHead: Committed = {
  source: 'git HEAD',
  files: () => git(['ls-tree', '-r', 'HEAD', '--name-only', '--', ...GENERATED_DIRS]).split('\n').filter(Boolean),
  read: (file) => git(['show', `HEAD:${file}`]),
};

const workingTree: Committed = {
  source: 'the working tree',
  files: () => {
    const out: string[] = [];
    const walk = (rel: string) => {
      const full = path.join(PROJECT_ROOT, rel);
      if (!fs.existsSync(full)) return;
      for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
        const child = path.posix.join(rel, entry.name);
        if (entry.isDirectory()) walk(child);
        else out.push(child);
      }
    };
    GENERATED_DIRS.forEach(walk);
    return out;
  },
  read: (file) => fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'),
};

/** `diff -u` of two texts, labelled, cut to the first lines. */
function unifiedDiff(file: string, committed: string, fresh: string, source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-drift-'));
  try {
    const a = path.join(dir, 'committed');
    const b = path.join(dir, 'fresh');
    fs.writeFileSync(a, committed);
    fs.writeFileSync(b, fresh);
    const r = spawnSync('diff', ['-u', '--label', `${file} (${source})`, '--label', `${file} (fresh synth)`, a, b], { encoding: 'utf8', timeout: 30_000 });
    const lines = r.stdout.split('\n');
    return lines.length > DIFF_LINES ? [...lines.slice(0, DIFF_LINES), `... (${lines.length - DIFF_LINES} more diff lines)`].join('\n') : r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every difference between the committed outputs and a fresh synth, as one readable report ('' = none). */
export function driftReport(committed: Committed, fresh: ReadonlyMap<string, string>): string {
  const inScope = (file: string) => GENERATED_DIRS.some((d) => file.startsWith(`${d}/`));
  const freshFiles = [...fresh.keys()].filter(inScope).sort();
  const committedFiles = new Set(committed.files());
  const missing = freshFiles.filter((f) => !committedFiles.has(f));
  const extra = [...committedFiles].filter((f) => !fresh.has(f)).sort();
  const diffs = freshFiles
    .filter((f) => committedFiles.has(f))
    .map((f) => ({ file: f, before: committed.read(f), after: fresh.get(f)! }))
    .filter(({ before, after }) => before !== after)
    .map(({ file, before, after }) => unifiedDiff(file, before, after, committed.source));
  if (missing.length + extra.length + diffs.length === 0) return '';
  return [
    `The generated outputs in ${committed.source} differ from a fresh \`npm run synth\`. Run \`npm run synth\` and commit ${GENERATED_DIRS.join('/, ')}/.`,
    ...(missing.length ? [`Not committed (a fresh synth writes them):\n${missing.map((f) => `  + ${f}`).join('\n')}`] : []),
    ...(extra.length ? [`Committed but no longer generated (delete them):\n${extra.map((f) => `  - ${f}`).join('\n')}`] : []),
    ...diffs,
  ].join('\n\n');
}

function isGitCheckout(): boolean {
  return spawnSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: PROJECT_ROOT, stdio: 'ignore' }).status === 0;
}

describe('drift between committed outputs and a fresh synth', () => {
  test('committed dist/, charts/session-database/ and argocd/ equal a fresh in-memory synth', () => {
    if (IN_CI && !isGitCheckout()) throw new Error('the drift check under CI=true compares with git HEAD: run it in a git checkout with the outputs committed');
    const committed = IN_CI ? gitHead : workingTree;
    const report = driftReport(committed, synthesize().files);
    if (report) {
      // eslint-disable-next-line no-console
      console.error(report);
    }
    expect(report).toBe('');
  });

  test('the report names missing and extra files and shows a unified diff of changed ones', () => {
    const fake: Committed = {
      source: 'a fake commit',
      files: () => ['dist/dev/a.yaml', 'dist/dev/old.yaml', `${ARGOCD_DIR}/dev.yaml`],
      read: (file) => ({ 'dist/dev/a.yaml': 'kind: A\nreplicas: 1\n', [`${ARGOCD_DIR}/dev.yaml`]: 'same\n' } as Record<string, string>)[file],
    };
    const fresh = new Map([
      ['dist/dev/a.yaml', 'kind: A\nreplicas: 3\n'],
      ['dist/dev/new.yaml', 'kind: B\n'],
      [`${ARGOCD_DIR}/dev.yaml`, 'same\n'],
      ['values/ignored.yaml', 'not generated\n'],
    ]);
    const report = driftReport(fake, fresh);
    expect(report).toContain('  + dist/dev/new.yaml');
    expect(report).toContain('  - dist/dev/old.yaml');
    expect(report).toContain('--- dist/dev/a.yaml (a fake commit)\n+++ dist/dev/a.yaml (fresh synth)\n@@ -1,2 +1,2 @@\n kind: A\n-replicas: 1\n+replicas: 3\n');
    expect(report).not.toContain(`${ARGOCD_DIR}/dev.yaml`);
    expect(report).not.toContain('values/ignored.yaml');
    const same = new Map([['dist/dev/a.yaml', 'kind: A\nreplicas: 1\n'], [`${ARGOCD_DIR}/dev.yaml`, 'same\n']]);
    expect(driftReport({ ...fake, files: () => [...same.keys()] }, same)).toBe('');
  });
});
