/**
 * Container images for the real node (test/node), built locally because nothing can be pulled: a root
 * filesystem made of Debian packages (`apt-get download` + `dpkg-deb -x`), one uncompressed layer, written
 * as an OCI image layout tarball that `ctr images import` takes. The pause image is pause.c from the pinned
 * k8s.io/kubernetes module, compiled statically.
 *
 *   <cache>/images/<name>-<recipe hash>/{rootfs/, image.tar, .complete}
 *
 * The recipe hash covers the exact Debian package versions (apt's candidates), so an updated package
 * builds a new image and an unchanged one is never rebuilt. The contract these images must meet (shared
 * with the public images the chart defaults to) is docs/images.md; test/node/images.test.ts checks it.
 *
 *   npx tsx scripts/node/images.ts      builds what is missing, prints each image's name and tarball
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cacheDir } from '../cache';
import { withFileLock } from '../cluster/lock';
import { KUBERNETES } from '../cluster/versions';

/** Where the local images are named from: never a registry anyone can pull from. */
export const LOCAL_REGISTRY = 'localhost';
/** The uid/gid of the redis user in the public redis image, and in ours (src/components/shared/pod-security.ts). */
export const REDIS_USER_ID = 999;

export interface ImageRecipe {
  /** Cache folder prefix and `localhost/session-database/<name>`. */
  name: string;
  /** Debian packages extracted into the root filesystem; their libraries must be listed too (no dependency solving). */
  packages: readonly string[];
  /** The package whose Debian version becomes the image tag. */
  tagFrom?: string;
  entrypoint?: readonly string[];
  /** Shell and tools: dash as /bin/sh (as in the public Debian-based redis image), busybox for what the packages lack. */
  shell: boolean;
}

const SHELL_PACKAGES = ['dash', 'busybox-static'];
const LIBC = ['libc6', 'libgcc-s1'];

export const IMAGE_RECIPES = {
  redis: {
    name: 'redis',
    // redis-server, redis-sentinel, redis-cli, redis-check-rdb and the libraries they link; getent (libc-bin),
    // which sentinel-start.sh resolves names with, as in the public image. GNU coreutils as in the public image
    // too: busybox's timeout leaves a watchdog process behind that ends as a zombie of PID 1 (redis-server).
    packages: [
      'redis-server', 'redis-sentinel', 'redis-tools', ...LIBC, 'libc-bin', 'libatomic1', 'libstdc++6', 'libjemalloc2', 'liblzf1', 'libssl3',
      'libsystemd0', 'libcap2', 'libgcrypt20', 'libgpg-error0', 'liblz4-1', 'liblzma5', 'libzstd1',
      'coreutils', 'libacl1', 'libattr1', 'libgmp10', 'libselinux1', 'libpcre2-8-0',
    ],
    tagFrom: 'redis-tools',
    shell: true,
  },
  'redis-exporter': {
    name: 'redis-exporter',
    packages: ['prometheus-redis-exporter', ...LIBC],
    tagFrom: 'prometheus-redis-exporter',
    // The public image runs its binary as the entrypoint; the chart gives the exporter no command.
    entrypoint: ['/usr/bin/prometheus-redis-exporter'],
    shell: false,
  },
  haproxy: {
    name: 'haproxy',
    // The master endpoint: HAProxy and the libraries it links; start.sh needs the shell tools.
    packages: [
      'haproxy', ...LIBC, 'libcrypt1', 'libssl3', 'liblua5.3-0', 'libpcre2-8-0', 'libopentracing-c-wrapper0', 'libopentracing1', 'libstdc++6',
      'libsystemd0', 'libcap2', 'libgcrypt20', 'libgpg-error0', 'liblz4-1', 'liblzma5', 'libzstd1',
    ],
    tagFrom: 'haproxy',
    shell: true,
  },
} as const satisfies Record<string, ImageRecipe>;
export type ImageName = keyof typeof IMAGE_RECIPES | 'pause';

export interface BuiltImage {
  /** Full reference, e.g. localhost/session-database/redis:7.0.15-1-deb12u10. */
  ref: string;
  registry: string;
  repository: string;
  tag: string;
  /** The OCI image layout tarball for `ctr images import`. */
  tarball: string;
  rootfs: string;
}

const STAMP = '.complete';

function log(message: string): void {
  process.stderr.write(`[node images] ${message}\n`);
}

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** apt's candidate version of each package (what `apt-get download` fetches). */
function candidateVersions(packages: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const pkg of packages) {
    const policy = run('apt-cache', ['policy', pkg]);
    const candidate = /Candidate: (\S+)/.exec(policy)?.[1];
    if (!candidate || candidate === '(none)') {
      throw new Error(`images: apt has no candidate for ${pkg}; run apt-get update (the package lists come from .ci/run's apt sources)`);
    }
    versions[pkg] = candidate;
  }
  return versions;
}

/** A Debian version as an image tag ([A-Za-z0-9_.-]): 5:7.0.15-1~deb12u10 → 7.0.15-1-deb12u10. */
export function tagOf(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, '').replace(/[^A-Za-z0-9_.-]/g, '-');
}

function sha256(file: string): { digest: string; size: number } {
  const data = fs.readFileSync(file);
  return { digest: `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`, size: data.length };
}

function writeBlob(layout: string, file: string): { digest: string; size: number } {
  const blob = sha256(file);
  fs.copyFileSync(file, path.join(layout, 'blobs', 'sha256', blob.digest.slice('sha256:'.length)));
  return blob;
}

function writeJsonBlob(layout: string, value: unknown): { digest: string; size: number } {
  const file = path.join(layout, 'blob.json');
  fs.writeFileSync(file, JSON.stringify(value));
  const blob = writeBlob(layout, file);
  fs.rmSync(file);
  return blob;
}

/** One uncompressed layer from rootfs, and the OCI image layout around it, as a tarball. */
function writeOciImage(rootfs: string, ref: string, entrypoint: readonly string[] | undefined, user: string, out: string): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-'));
  try {
    const layout = path.join(work, 'layout');
    fs.mkdirSync(path.join(layout, 'blobs', 'sha256'), { recursive: true });
    const layerTar = path.join(work, 'layer.tar');
    // Sorted, numeric owners, fixed times: the same rootfs gives the same digest.
    run('tar', ['--sort=name', '--numeric-owner', '--mtime=@0', '--xattrs', '-C', rootfs, '-cf', layerTar, '.']);
    const layer = writeBlob(layout, layerTar);
    const config = writeJsonBlob(layout, {
      architecture: 'amd64',
      os: 'linux',
      config: {
        User: user,
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        ...(entrypoint ? { Entrypoint: entrypoint } : {}),
        WorkingDir: entrypoint ? '/' : '/data',
      },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      history: [{ created_by: 'scripts/node/images.ts' }],
    });
    const manifest = writeJsonBlob(layout, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    });
    fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    fs.writeFileSync(
      path.join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            platform: { architecture: 'amd64', os: 'linux' },
            // containerd names the imported image after io.containerd.image.name.
            annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref.split(':').pop() },
          },
        ],
      }),
    );
    run('tar', ['--sort=name', '--numeric-owner', '--mtime=@0', '-C', layout, '-cf', out, '.']);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function addUsers(rootfs: string): void {
  fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), `root:x:0:0:root:/root:/bin/sh\nredis:x:${REDIS_USER_ID}:${REDIS_USER_ID}::/data:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  fs.writeFileSync(path.join(rootfs, 'etc', 'group'), `root:x:0:\nredis:x:${REDIS_USER_ID}:\nnogroup:x:65534:\n`);
  // Writable places the public image has; in a pod each is a volume (readOnlyRootFilesystem).
  // proc: the mount point every image has (runc would make it; test/node/images.test.ts mounts one).
  for (const [dir, mode, owner] of [['data', 0o755, REDIS_USER_ID], ['tmp', 0o1777, 0], ['proc', 0o555, 0]] as const) {
    fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
    fs.chmodSync(path.join(rootfs, dir), mode);
    fs.chownSync(path.join(rootfs, dir), owner, owner);
  }
}

/** dash as /bin/sh; every busybox applet the packages did not bring, as a link to busybox. */
function addShell(rootfs: string): void {
  const bin = path.join(rootfs, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.rmSync(path.join(bin, 'sh'), { force: true });
  fs.symlinkSync('dash', path.join(bin, 'sh'));
  const busybox = path.join(bin, 'busybox');
  const applets = run(busybox, ['--list']).split('\n').filter(Boolean);
  const onPath = (name: string) => ['bin', 'sbin', 'usr/bin', 'usr/sbin'].some((d) => fs.existsSync(path.join(rootfs, d, name)));
  for (const applet of applets) if (!onPath(applet)) fs.symlinkSync('busybox', path.join(bin, applet));
}

function buildDebianRootfs(recipe: ImageRecipe, versions: Record<string, string>, rootfs: string): void {
  const debs = fs.mkdtempSync(path.join(os.tmpdir(), 'debs-'));
  try {
    // _apt cannot write to a private temp dir; root downloads (the warning is expected).
    run('apt-get', ['download', '-o', 'APT::Sandbox::User=root', ...Object.entries(versions).map(([p, v]) => `${p}=${v}`)], debs);
    for (const deb of fs.readdirSync(debs).filter((f) => f.endsWith('.deb')).sort()) run('dpkg-deb', ['-x', path.join(debs, deb), rootfs]);
  } finally {
    fs.rmSync(debs, { recursive: true, force: true });
  }
  if (recipe.shell) addShell(rootfs);
  addUsers(rootfs);
}

function pauseSource(): string {
  return path.join(execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim(), `${KUBERNETES.module}@${KUBERNETES.version}`, 'build', 'pause', 'linux', 'pause.c');
}

function ensurePauseSource(): string {
  const source = pauseSource();
  if (!fs.existsSync(source)) run('go', ['mod', 'download', `${KUBERNETES.module}@${KUBERNETES.version}`], os.tmpdir());
  return source;
}

async function ensureImage(name: string, recipeKey: string, tag: string, build: (rootfs: string) => void, entrypoint: readonly string[] | undefined, user: string): Promise<BuiltImage> {
  const hash = crypto.createHash('sha256').update(recipeKey).digest('hex').slice(0, 12);
  const dir = cacheDir('images', `${name}-${tag}-${hash}`);
  const repository = `session-database/${name}`;
  const ref = `${LOCAL_REGISTRY}/${repository}:${tag}`;
  const image: BuiltImage = { ref, registry: LOCAL_REGISTRY, repository, tag, tarball: path.join(dir, 'image.tar'), rootfs: path.join(dir, 'rootfs') };
  if (fs.existsSync(path.join(dir, STAMP))) return image;
  return withFileLock(path.join(dir, 'build.lock'), `image ${name}`, async () => {
    if (fs.existsSync(path.join(dir, STAMP))) return image;
    const started = Date.now();
    fs.rmSync(image.rootfs, { recursive: true, force: true });
    fs.mkdirSync(image.rootfs, { recursive: true });
    build(image.rootfs);
    writeOciImage(image.rootfs, ref, entrypoint, user, image.tarball);
    fs.writeFileSync(path.join(dir, STAMP), new Date().toISOString() + '\n');
    log(`${ref}: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return image;
  });
}

export function ensureDebianImage(recipe: ImageRecipe): Promise<BuiltImage> {
  const versions = candidateVersions([...recipe.packages, ...(recipe.shell ? SHELL_PACKAGES : [])]);
  const tag = tagOf(versions[recipe.tagFrom ?? recipe.packages[0]]);
  const key = JSON.stringify({ recipe, versions, format: 3 });
  return ensureImage(recipe.name, key, tag, (rootfs) => buildDebianRootfs(recipe, versions, rootfs), recipe.entrypoint, String(REDIS_USER_ID));
}

/** The sandbox ("pause") image: k8s.io/kubernetes' pause.c, static, alone in its image. */
export function ensurePauseImage(): Promise<BuiltImage> {
  const source = ensurePauseSource();
  const gcc = run('gcc', ['-dumpfullversion']).trim();
  const key = JSON.stringify({ source: fs.readFileSync(source, 'utf8'), gcc, format: 2 });
  return ensureImage(
    'pause',
    key,
    KUBERNETES.version,
    (rootfs) => {
      run('gcc', ['-Os', '-static', '-Wall', '-Werror', `-DVERSION=${KUBERNETES.version}`, '-o', path.join(rootfs, 'pause'), source]);
      run('strip', [path.join(rootfs, 'pause')]);
    },
    ['/pause'],
    '65535:65535',
  );
}

export async function ensureAllImages(): Promise<Record<ImageName, BuiltImage>> {
  return {
    redis: await ensureDebianImage(IMAGE_RECIPES.redis),
    'redis-exporter': await ensureDebianImage(IMAGE_RECIPES['redis-exporter']),
    haproxy: await ensureDebianImage(IMAGE_RECIPES.haproxy),
    pause: await ensurePauseImage(),
  };
}

if (require.main === module) {
  ensureAllImages().then(
    (images) => {
      for (const [name, image] of Object.entries(images)) console.log(`${name}\t${image.ref}\t${image.tarball}`);
    },
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
