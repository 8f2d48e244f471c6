/**
 * The Infinispan server, assembled from Maven Central into the shared cache (scripts/cache.ts):
 *
 *   <cache>/infinispan/<version>/server/{boot,lib,bin,server/conf}   and a `.complete` stamp written last
 *   <cache>/infinispan/maven-repository/                             Maven's local repository
 *
 * The server zip (org.infinispan:infinispan-distribution) is not on Maven Central, so `mvn` copies
 * infinispan-server-runtime and infinispan-cli-client with their runtime dependencies into lib/ and the
 * runtime's `loader` jar into boot/: the layout of the zip. bin/server.sh and bin/cli.sh are our
 * launchers (scripts/infinispan/bin/), written from what the zip's scripts run: the same loader and main
 * classes and system properties. A warm cache runs no Maven at all.
 *
 *   npx tsx scripts/infinispan/install.ts     installs what is missing, prints the server home
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir } from '../cache';
import { INFINISPAN } from './versions';

const HERE = __dirname;
const STAMP = '.complete';

export interface InfinispanInstall {
  /** ISPN_HOME: boot/, lib/, bin/server.sh, bin/cli.sh, server/conf/. */
  home: string;
  version: string;
  /** Seconds spent downloading; 0 when the cache was warm. */
  downloadSeconds: number;
}

function mvn(args: string[]): void {
  const repo = cacheDir('infinispan', 'maven-repository');
  const r = spawnSync(
    'mvn',
    ['-B', '-q', '-f', path.join(HERE, 'pom.xml'), `-Dmaven.repo.local=${repo}`, `-Dinfinispan.version=${INFINISPAN.version}`, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (r.error) throw new Error(`scripts/infinispan: cannot run mvn (${r.error.message}); install Maven (.ci/run does: apt-get install maven)`);
  if (r.status !== 0) throw new Error(`scripts/infinispan: mvn ${args[0]} failed:\n${r.stdout}${r.stderr}`);
}

function otherCpuClassifier(): string {
  if (process.arch === 'x64') return 'linux-aarch_64';
  if (process.arch === 'arm64') return 'linux-x86_64';
  throw new Error(`scripts/infinispan: no Netty native transport for ${process.arch}`);
}

/**
 * The loader also takes `x-1.0.jar` and `x-1.0-linux-x86_64.jar` for one artifact. The unclassified jar of
 * a Netty native transport holds no classes (they are in netty-transport-classes-*): keep the CPU's one.
 */
function dropUnclassifiedNatives(lib: string): void {
  const cpu = process.arch === 'x64' ? 'linux-x86_64' : 'linux-aarch_64';
  for (const jar of fs.readdirSync(lib)) {
    if (!jar.endsWith(`-${cpu}.jar`)) continue;
    const unclassified = path.join(lib, jar.replace(`-${cpu}.jar`, '.jar'));
    if (fs.existsSync(unclassified)) fs.rmSync(unclassified);
  }
}

function assemble(home: string): void {
  fs.rmSync(home, { recursive: true, force: true });
  mvn([
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    // Netty's native transports come for both CPUs; the loader refuses two jars of one artifact.
    `-DexcludeClassifiers=${otherCpuClassifier()}`,
    `-DoutputDirectory=${path.join(home, 'lib')}`,
  ]);
  dropUnclassifiedNatives(path.join(home, 'lib'));
  mvn([
    'dependency:copy',
    `-Dartifact=${INFINISPAN.group}:infinispan-server-runtime:${INFINISPAN.version}:jar:loader`,
    `-DoutputDirectory=${path.join(home, 'boot')}`,
  ]);
}

/** Our launchers and logging config: not behind the stamp, so an edit here reaches a warm cache. */
const LAUNCHER_FILES = [
  { from: 'bin/common.sh', to: 'bin/common.sh', mode: 0o644 },
  { from: 'bin/server.sh', to: 'bin/server.sh', mode: 0o755 },
  { from: 'bin/cli.sh', to: 'bin/cli.sh', mode: 0o755 },
  { from: 'log4j2.xml', to: 'server/conf/log4j2.xml', mode: 0o644 },
];

function writeLaunchers(home: string): void {
  for (const f of LAUNCHER_FILES) {
    const target = path.join(home, f.to);
    const text = fs.readFileSync(path.join(HERE, f.from), 'utf8');
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === text) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written aside and renamed: a server starting in another worker never reads half a script.
    const staged = `${target}.${process.pid}`;
    fs.writeFileSync(staged, text, { mode: f.mode });
    fs.renameSync(staged, target);
  }
}

/** The server home, downloaded and assembled on first use; a warm cache returns at once. */
export function ensureInfinispan(): InfinispanInstall {
  const root = cacheDir('infinispan', INFINISPAN.version);
  const home = path.join(root, 'server');
  const stamp = path.join(root, STAMP);
  let downloadSeconds = 0;
  if (!fs.existsSync(stamp)) {
    const started = Date.now();
    assemble(home);
    downloadSeconds = (Date.now() - started) / 1000;
    fs.writeFileSync(stamp, JSON.stringify({ version: INFINISPAN.version, downloadSeconds }) + '\n');
  }
  writeLaunchers(home);
  return { home, version: INFINISPAN.version, downloadSeconds };
}

if (require.main === module) {
  const install = ensureInfinispan();
  console.log(install.home + (install.downloadSeconds ? `  (assembled in ${install.downloadSeconds.toFixed(0)} s)` : '  (cached)'));
}
