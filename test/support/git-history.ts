import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chartDirFiles } from '../../src/chart/releases';
import { PROJECT_ROOT } from '../../src/render/assets';

const CHART_YAML = 'charts/session-database/Chart.yaml';

export function git(...args: string[]): string {
  const r = spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const hasVersion = (chartYaml: string, version: string) => new RegExp(`^version: ${version.replace(/\./g, '\\.')}$`, 'm').test(chartYaml);

/** The newest commit whose chart had `version`: the parent of the commit that changed it (needs the git history, not a shallow clone). */
export function lastCommitOfVersion(version: string): string {
  for (const c of git('log', '--format=%H', '--', CHART_YAML).trim().split('\n')) {
    const before = spawnSync('git', ['show', `${c}^:${CHART_YAML}`], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout;
    if (hasVersion(before, version) && !hasVersion(git('show', `${c}:${CHART_YAML}`), version)) return `${c}^`;
  }
  throw new Error(`no commit of chart version ${version} in git history (a shallow clone?)`);
}

/** The chart files as committed at `commit`. */
export function chartAt(commit: string): Map<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-chart-'));
  try {
    const archive = spawnSync('sh', ['-c', `git archive ${commit} charts/session-database | tar -x -C ${dir}`], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (archive.status !== 0) throw new Error(archive.stderr);
    return chartDirFiles(path.join(dir, 'charts/session-database'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
