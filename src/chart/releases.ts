import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The chart versions that were published, each with the digest of its files. A published version is
 * immutable: users and caches (Artifact Hub, Argo CD, Flux) trust that 0.2.0 is one content forever,
 * so a chart whose files differ from the recorded digest must carry a new version. `npm run package --
 * --release` records a version; test/helm/chart-version.test.ts refuses a changed chart under a recorded one.
 */
export const RELEASES_FILE = path.join(__dirname, 'released-charts.json');

export interface ReleaseRecord {
  readonly version: string;
  /** sha256 over the chart's files (path and content, sorted by path). */
  readonly digest: string;
}

export function releasedCharts(file = RELEASES_FILE): ReleaseRecord[] {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ReleaseRecord[];
}

/** The digest of a chart from its files, by path inside the chart directory. */
export function chartDigest(files: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort()) hash.update(`${name}\0${files.get(name)}\0`);
  return `sha256:${hash.digest('hex')}`;
}

/** The files of a chart directory on disk, by path inside it. */
export function chartDirFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else files.set(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
    }
  };
  walk('');
  return files;
}

/** Why the chart at `version` with `digest` may not be published or committed, or undefined when it may. */
export function versionProblem(version: string, digest: string, released: readonly ReleaseRecord[]): string | undefined {
  const same = released.find((r) => r.version === version);
  if (same && same.digest !== digest) {
    return `chart version ${version} was already published with other content (${same.digest}); the chart changed since, so raise "version" in package.json (e.g. to ${nextPatch(version)}) and run npm run synth`;
  }
  const newer = released.find((r) => compareVersions(r.version, version) > 0);
  if (newer) return `chart version ${version} is older than the published ${newer.version}; versions only go up`;
  return undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

function nextPatch(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number);
  return `${major}.${minor}.${patch + 1}`;
}
