import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { PROJECT_ROOT } from '../../src/render/assets';
import { REDIS_USER_ID, ensureAllImages, BuiltImage, ImageName } from '../../scripts/node/images';
import { HAPROXY_UID } from '../../src/components/master-endpoint/contract';

/** The programs docs/images.md promises, read from the document itself. */
function documentedPrograms(): string[] {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'images.md'), 'utf8');
  const block = /<!-- redis-image-programs -->([\s\S]*?)<!-- \/redis-image-programs -->/.exec(doc)?.[1] ?? '';
  return [...block.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/** Runs a command in the image's root filesystem as the redis user (chroot: the files, not the container). */
function inImage(image: BuiltImage, command: string[]) {
  const r = spawnSync('chroot', [`--userspec=${REDIS_USER_ID}:${REDIS_USER_ID}`, image.rootfs, ...command], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describeWithBinaries(['chroot', 'unshare', 'apt-get', 'dpkg-deb', 'gcc', 'file'], 'the local images meet docs/images.md', () => {
  let images: Record<ImageName, BuiltImage>;
  beforeAll(async () => {
    images = await ensureAllImages();
  }, 600_000);

  test('the document lists the programs the scripts call', () => {
    expect(documentedPrograms()).toEqual(expect.arrayContaining(['redis-server', 'redis-sentinel', 'redis-cli', 'getent', 'timeout', 'sha256sum']));
  });

  test('the redis image has a POSIX /bin/sh and every documented program on PATH, usable by uid 999', () => {
    const missing = documentedPrograms().filter((p) => inImage(images.redis, ['/bin/sh', '-c', `command -v ${p}`]).status !== 0);
    expect(missing).toEqual([]);
    expect(inImage(images.redis, ['/bin/sh', '-c', 'redis-server --version && redis-cli --version && id -u']).out).toMatch(/Redis server v=7\.[\s\S]*redis-cli 7\.[\s\S]*999/);
  });

  test('timeout in the redis image waits for its command and leaves no process behind', () => {
    // In a PID namespace of its own, right after `timeout` returns: busybox's leaves its watchdog (named
    // timeout) running for up to a second, and in a pod it ends as a zombie of redis-server (PID 1).
    const rootfs = images.redis.rootfs;
    const r = spawnSync('unshare', ['--pid', '--fork', '--mount', `--mount-proc=${path.join(rootfs, 'proc')}`, 'chroot', `--userspec=${REDIS_USER_ID}:${REDIS_USER_ID}`, rootfs,
      '/bin/sh', '-c', 'timeout 5 true; for p in /proc/[0-9]*; do cat "$p/comm"; done'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).not.toContain('timeout');
  });

  test('the redis image has the redis user at 999 and a world-writable /tmp', () => {
    expect(fs.readFileSync(path.join(images.redis.rootfs, 'etc', 'passwd'), 'utf8')).toMatch(new RegExp(`^redis:x:${REDIS_USER_ID}:${REDIS_USER_ID}:`, 'm'));
    expect(fs.statSync(path.join(images.redis.rootfs, 'tmp')).mode & 0o1777).toBe(0o1777);
  });

  test('the exporter image runs its entrypoint, the exporter, as uid 999', () => {
    const config = ociConfig(images['redis-exporter']);
    expect(config.config.User).toBe(String(REDIS_USER_ID));
    const r = inImage(images['redis-exporter'], [...config.config.Entrypoint, '--version']);
    expect(r.out).toMatch(/Redis Metrics Exporter/i);
  });

  test('the haproxy image runs start.sh\'s shell and HAProxy 2.2 or later with OpenSSL, as uid 99', () => {
    const r = spawnSync('chroot', [`--userspec=${HAPROXY_UID}:${HAPROXY_UID}`, images.haproxy.rootfs, '/bin/sh', '-c', 'printf "%s\\n" "$(id -u)" && haproxy -vv'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^99\n/);
    const [major, minor] = /HAProxy version (\d+)\.(\d+)/.exec(r.stdout)!.slice(1).map(Number);
    expect(major * 100 + minor).toBeGreaterThanOrEqual(202);
    expect(r.stdout).toMatch(/Built with OpenSSL/);
  });

  test('the pause image is a static pause.c that prints its Kubernetes version', () => {
    const r = spawnSync(path.join(images.pause.rootfs, 'pause'), ['-v'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/pause\.c v1\.35\.\d+/);
    // Alone in its image: there is no dynamic loader to run it.
    expect(spawnSync('file', [path.join(images.pause.rootfs, 'pause')], { encoding: 'utf8' }).stdout).toMatch(/statically linked/);
  });
});

/** The image config inside the OCI layout tarball: what containerd will run. */
function ociConfig(image: BuiltImage): { config: { User: string; Entrypoint: string[] } } {
  const read = (name: string) => spawnSync('tar', ['-xOf', image.tarball, `./${name}`], { encoding: 'utf8' }).stdout;
  const index = JSON.parse(read('index.json'));
  const manifest = JSON.parse(read(`blobs/sha256/${index.manifests[0].digest.slice(7)}`));
  return JSON.parse(read(`blobs/sha256/${manifest.config.digest.slice(7)}`));
}
