/**
 * Builds the local cluster's binaries from the Go module proxy with the ordinary Go toolchain, each from a
 * small wrapper module under scripts/cluster/go/<name>/, into the shared cache (scripts/cache.ts):
 *
 *   <cache>/<name>/<version>-<recipe hash>/bin/…   and a `.complete` stamp written last
 *
 * The recipe hash covers the wrapper's go.mod/go.sum/*.go, the packages, the ldflags and the Go version, so
 * any change builds anew and an unchanged recipe is never rebuilt. The Go build cache (~/.cache/go-build)
 * is left warm, so even a new recipe recompiles only what changed.
 *
 *   npx tsx scripts/cluster/build.ts          builds what is missing, prints the bin folders
 */
import { spawn, execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir } from '../cache';
import { moduleTime } from './gomod';
import { withFileLock } from './lock';
import { CERT_MANAGER, CONTAINERD, COREDNS, ETCD, KUBE_ROUTER, KUBECONFORM, KUBERNETES, KUBERNETES_COMMANDS, KWOK, RUNC } from './versions';

const GO = path.join(__dirname, 'go');
const STAMP = '.complete';
export const BUILD_RECORD = 'build.json';

export interface GoComponent {
  /** Cache folder name, and wrapper module folder under scripts/cluster/go/. */
  name: string;
  version: string;
  /** Package paths built by one `go build -o bin/`; each main package becomes bin/<last path element>. */
  packages: readonly string[];
  /** Binary names expected in bin/ afterwards. */
  binaries: readonly string[];
  ldflags?: readonly string[];
  /** The wrapper module's folder when it is not scripts/cluster/go/<name>/ (another area's Go dependency). */
  wrapperDir?: string;
  /** Go build tags (`-tags`). */
  tags?: readonly string[];
  /** Environment for `go build` on top of ours (e.g. CGO_ENABLED). */
  env?: Readonly<Record<string, string>>;
  /** Binaries whose package's last path element is not a good name (`cmd`), renamed after the build. */
  rename?: Readonly<Record<string, string>>;
}

function wrapperDir(component: GoComponent): string {
  return component.wrapperDir ?? path.join(GO, component.name);
}

function kubernetesLdflags(): string[] {
  const [, major, minor] = /^v(\d+)\.(\d+)\./.exec(KUBERNETES.version)!;
  const vars = {
    gitVersion: KUBERNETES.version,
    gitMajor: major,
    gitMinor: minor,
    // The module zip carries no git metadata; say so rather than invent a hash.
    gitCommit: `${KUBERNETES.module}@${KUBERNETES.version}`,
    gitTreeState: 'clean',
    buildDate: moduleTime(KUBERNETES.module, KUBERNETES.version).replace(/\.\d+Z$/, 'Z'),
  };
  // Both packages carry the version (as in kubernetes' hack/lib/version.sh).
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
    Object.entries(vars).map(([name, value]) => `-X ${pkg}.${name}=${value}`),
  );
}

export const COMPONENTS = {
  kubernetes: {
    name: 'kubernetes',
    version: KUBERNETES.version,
    packages: KUBERNETES_COMMANDS.map((c) => `${KUBERNETES.module}/cmd/${c}`),
    binaries: KUBERNETES_COMMANDS,
    get ldflags() {
      return kubernetesLdflags();
    },
  },
  etcd: { name: 'etcd', version: ETCD.version, packages: ['.'], binaries: ['etcd'] },
  kwok: { name: 'kwok', version: KWOK.version, packages: [`${KWOK.module}/cmd/kwok`], binaries: ['kwok'] },
  kubeconform: {
    name: 'kubeconform',
    version: KUBECONFORM.version,
    packages: [`${KUBECONFORM.module}/cmd/kubeconform`],
    binaries: ['kubeconform'],
  },
  // cert-manager's controller for the chart's TLS objects: our own small main (the wrapper's main.go) over the
  // served module's controller packages, because upstream's cmd/controller is a nested module the proxy does not serve.
  'cert-manager-controller': {
    name: 'cert-manager-controller',
    version: CERT_MANAGER.version,
    packages: ['.'],
    binaries: ['cert-manager-controller'],
    env: { CGO_ENABLED: '0' },
  },
  // The real node (test/node). Static Go binaries without cgo, except runc: its nsenter is C.
  containerd: {
    name: 'containerd',
    version: CONTAINERD.version,
    packages: ['containerd', 'containerd-shim-runc-v2', 'ctr'].map((c) => `${CONTAINERD.module}/cmd/${c}`),
    binaries: ['containerd', 'containerd-shim-runc-v2', 'ctr'],
    // Without cgo the btrfs snapshotter (C headers) is left out; the node uses overlayfs.
    env: { CGO_ENABLED: '0' },
  },
  runc: {
    name: 'runc',
    version: RUNC.version,
    packages: [RUNC.module],
    binaries: ['runc'],
    // seccomp needs libseccomp-dev (apt, .ci/run): the RuntimeDefault profile our pods ask for is enforced.
    tags: ['seccomp'],
    env: { CGO_ENABLED: '1' },
  },
  coredns: { name: 'coredns', version: COREDNS.version, packages: [COREDNS.module], binaries: ['coredns'], env: { CGO_ENABLED: '0' } },
  'kube-router': {
    name: 'kube-router',
    version: KUBE_ROUTER.version,
    packages: [`${KUBE_ROUTER.module}/cmd/kube-router`],
    binaries: ['kube-router'],
    env: { CGO_ENABLED: '0' },
  },
} satisfies Record<string, GoComponent>;
export type ComponentName = keyof typeof COMPONENTS;

function goVersion(): string {
  return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
}

const BUILD_FLAGS = ['-trimpath'];

function recipeHash(component: GoComponent): string {
  const wrapper = wrapperDir(component);
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(wrapper).sort()) {
    if (file === 'go.mod' || file === 'go.sum' || file.endsWith('.go')) {
      hash.update(file).update(fs.readFileSync(path.join(wrapper, file)));
    }
  }
  // Tags and environment only when set: the recipes that have none keep the cache folders they had.
  const extra = component.tags || component.env ? [component.tags ?? [], component.env ?? {}] : [];
  hash.update(JSON.stringify([component.packages, component.ldflags ?? [], BUILD_FLAGS, goVersion(), ...extra]));
  return hash.digest('hex').slice(0, 12);
}

/** The cache folder of a component's current recipe (not necessarily built yet). */
export function componentDir(component: GoComponent): string {
  return cacheDir(component.name, `${component.version}-${recipeHash(component)}`);
}

export function isBuilt(component: GoComponent): boolean {
  return fs.existsSync(path.join(componentDir(component), STAMP));
}

function log(message: string): void {
  process.stderr.write(`[cluster build] ${message}\n`);
}

/** Runs one `go build`, printing how many packages it compiled every 30 s. */
function goBuild(component: GoComponent, outDir: string): Promise<number> {
  const args = ['build', '-v', ...BUILD_FLAGS, '-o', `${outDir}/`];
  if (component.ldflags?.length) args.push(`-ldflags=${component.ldflags.join(' ')}`);
  if (component.tags?.length) args.push(`-tags=${component.tags.join(',')}`);
  args.push(...component.packages);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, {
      cwd: wrapperDir(component),
      env: { ...process.env, ...component.env },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let compiled = 0;
    let lastLine = '';
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        if (/^[\w.-]+(\/[\w.@~+-]+)*$/.test(line)) compiled++;
        else if (line.trim()) process.stderr.write(`${line}\n`);
        lastLine = line;
      }
    });
    const progress = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      log(`${component.name}: ${compiled} packages compiled in ${seconds}s (last: ${lastLine})`);
    }, 30_000);
    child.on('error', (err) => {
      clearInterval(progress);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(progress);
      if (code === 0) resolve(compiled);
      else reject(new Error(`go ${args.join(' ')} (in ${wrapperDir(component)}) exited ${code}`));
    });
  });
}

/** Builds the component if its cache folder has no stamp; returns its bin folder. */
export async function ensureBuilt(component: GoComponent): Promise<string> {
  const dir = componentDir(component);
  const bin = path.join(dir, 'bin');
  if (fs.existsSync(path.join(dir, STAMP))) return bin;
  return withFileLock(path.join(dir, 'build.lock'), `build ${component.name}`, async () => {
    if (fs.existsSync(path.join(dir, STAMP))) return bin; // built by the process we waited for
    await build(component, dir, bin);
    return bin;
  });
}

async function build(component: GoComponent, dir: string, bin: string): Promise<void> {
  const started = Date.now();
  log(`${component.name} ${component.version}: building ${component.binaries.join(', ')} into ${dir} (a cold build takes minutes; the Go build cache makes the next one fast)`);
  const partial = path.join(dir, `bin.partial-${process.pid}`);
  let compiled = 0;
  fs.rmSync(partial, { recursive: true, force: true });
  try {
    compiled = await goBuild(component, partial);
    for (const [from, to] of Object.entries(component.rename ?? {})) fs.renameSync(path.join(partial, from), path.join(partial, to));
    for (const binary of component.binaries) {
      if (!fs.existsSync(path.join(partial, binary))) throw new Error(`${component.name}: go build made no ${binary}`);
    }
    fs.rmSync(bin, { recursive: true, force: true });
    fs.renameSync(partial, bin);
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  // What this build cost: packages compiled tells a cold build (nearly all) from one on a warm Go build cache.
  fs.writeFileSync(path.join(dir, BUILD_RECORD), JSON.stringify({ seconds: Number(seconds.toFixed(1)), packagesCompiled: compiled, at: new Date().toISOString() }) + '\n');
  fs.writeFileSync(path.join(dir, STAMP), new Date().toISOString() + '\n');
  log(`${component.name}: built in ${seconds.toFixed(0)}s (${compiled} packages compiled)`);
}

export type BinPaths = Record<string, string>;

/** Builds (or reuses) every component; returns the absolute path of each binary by name. */
export async function ensureAllBuilt(names: readonly ComponentName[] = Object.keys(COMPONENTS) as ComponentName[]): Promise<BinPaths> {
  const paths: BinPaths = {};
  // One at a time: each go build already uses every core.
  for (const name of names) {
    const component = COMPONENTS[name];
    const bin = await ensureBuilt(component);
    for (const binary of component.binaries) paths[binary] = path.join(bin, binary);
  }
  return paths;
}

if (require.main === module) {
  const names = process.argv.slice(2) as ComponentName[];
  ensureAllBuilt(names.length ? names : undefined).then(
    (paths) => {
      for (const [name, file] of Object.entries(paths)) console.log(`${name}\t${file}`);
    },
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}

/**
 * Seconds the cached builds of these components took (their build records), when each was a cold build
 * (compiled at least the given number of packages); undefined when any reused a warm Go build cache.
 */
export function coldBuildSeconds(minPackages: Readonly<Partial<Record<ComponentName, number>>>): number | undefined {
  let total = 0;
  for (const [name, min] of Object.entries(minPackages) as [ComponentName, number][]) {
    const file = path.join(componentDir(COMPONENTS[name]), BUILD_RECORD);
    if (!fs.existsSync(file)) return undefined;
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as { seconds: number; packagesCompiled: number };
    if (record.packagesCompiled < min) return undefined;
    total += record.seconds;
  }
  return total;
}
