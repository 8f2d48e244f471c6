import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { FULLNAME, configMapData, renderEnvironment } from '../support/manifests';
import { AckedWriter, FAST_SCRIPT_ENV, RedisCluster, run, waitFor } from '../support/redis';
import { Lab, snapshot } from './lab';

jest.setTimeout(180000);

/**
 * The production topology (3 Redis nodes, 3 sentinels) from the harness. The harness
 * only accepts octets 10..19; 19 is used here (the maintenance range 127.0.20+ is taken
 * by the single-node tests).
 */
const OCTET = 19;

describeWithBinaries(['redis-server', 'redis-sentinel', 'redis-cli', 'redis-check-rdb', 'sha256sum', 'openssl'], 'backup from a replica, restore, and a fourth node on real Redis', () => {
  const objects = renderEnvironment('production', { maintenance: { backup: { keep: 2 } } });
  let cluster: RedisCluster;
  let lab: Lab;
  let failed = false;
  const sentinelPattern = `127.0.${OCTET}.2%d`;

  beforeAll(async () => {
    cluster = new RedisCluster({ octet: OCTET, objects, env: FAST_SCRIPT_ENV });
    // The jobs trust the cluster's CA (TLS in production).
    lab = new Lab(objects, 600, cluster.passwords, cluster.tls);
    cluster.startAll();
    await cluster.waitSettled(60000, 'three nodes and three sentinels to settle');
  });
  afterEach(() => {
    const state = expect.getState();
    if (state.assertionCalls !== state.numPassingAsserts) failed = true;
  });
  afterAll(async () => {
    if (failed) console.log(cluster?.logs());
    try {
      await lab?.dispose();
    } finally {
      await cluster?.dispose();
    }
  });

  test('the backup streams from a replica, keeps the newest backups with checksums, and restores every key, value and TTL', async () => {
    const master = await cluster.waitSettled();
    const app = cluster.direct(master, 'app');
    const cache = cluster.direct(master, 'cache', { db: 1 });
    const p = app.pipeline();
    for (let i = 0; i < 2000; i++) {
      p.set(`session:s${i}`, JSON.stringify({ user: `u${i % 97}`, n: i }), 'EX', 600 + i);
      p.zadd(`session:user:u${i % 97}`, 1_700_000_000_000 + i, `s${i}`);
    }
    p.set('session:no-ttl', 'forever');
    p.hset('session:hash', { a: '1', b: '2' });
    p.set('session:refresh:tok', 'r', 'PX', 3_600_000);
    await p.exec();
    const c = cache.pipeline();
    for (let i = 0; i < 500; i++) c.set(`cache:svc:k${i}`, `v${i}`, 'EX', 86400).zadd('cache_index:svc', i, `k${i}`);
    await c.exec();
    expect(await app.wait(2, 5000)).toBe(2);

    const backupDir = fs.mkdtempSync(path.join(lab.root, 'backup-volume-'));
    // Two older backups; with keep 2 the oldest must go.
    for (const old of ['redis-backup-20200101T000000Z.rdb', 'redis-backup-20210101T000000Z.rdb']) {
      fs.writeFileSync(path.join(backupDir, old), 'old');
      fs.writeFileSync(path.join(backupDir, `${old}.sha256`), `x  ${old}\n`);
    }
    const before = { sessions: await snapshot(app, 'session:*'), cache: await snapshot(cache, 'cache*') };
    const takenAt = Date.now();
    const r = await lab.runJob('backup', { redisHost: 'unused.invalid', sentinelPattern, backupDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = r.stdout.trim();
    expect(line).toMatch(/^backup: file=redis-backup-\d{8}T\d{6}Z\.rdb bytes=\d+ sha256=[0-9a-f]{64} source=\S+ deleted_old=1 duration_ms=\d+$/);
    const source = /source=([\d.]+):/.exec(line)![1];
    expect(cluster.redis.filter((p) => p !== master).map((p) => p.ip)).toContain(source);

    const file = /file=(\S+)/.exec(line)![1];
    expect(fs.readdirSync(backupDir).sort()).toEqual(['redis-backup-20210101T000000Z.rdb', 'redis-backup-20210101T000000Z.rdb.sha256', file, `${file}.sha256`].sort());
    const sha = createHash('sha256').update(fs.readFileSync(path.join(backupDir, file))).digest('hex');
    expect(fs.readFileSync(path.join(backupDir, `${file}.sha256`), 'utf8')).toBe(`${sha}  ${file}\n`);

    // Restore with the ConfigMap's restore.sh into a fresh data dir, then boot a node with
    // appendonly yes from it (a lone dump.rdb would be ignored and the node would start empty).
    const scripts = fs.mkdtempSync(path.join(lab.root, 'restore-'));
    const restoreSh = path.join(scripts, 'restore.sh');
    fs.writeFileSync(restoreSh, configMapData(objects, `${FULLNAME}-maintenance-scripts`)['restore.sh'], { mode: 0o555 });
    const fresh = new Lab(renderEnvironment('dev'), 600, cluster.passwords);
    try {
      let restoreOut = '';
      const node = await fresh.startRedis('127.0.20.40', [], async (dataDir) => {
        fs.writeFileSync(path.join(dataDir, 'stale-file'), 'from before');
        const res = await run('sh', [restoreSh, path.join(backupDir, file), dataDir], { timeoutMs: 60000 });
        restoreOut = res.stderr;
        expect(res.code).toBe(0);
        expect(fs.existsSync(path.join(dataDir, 'appendonlydir'))).toBe(true);
        expect(fs.readdirSync(dataDir).some((f) => f.startsWith('pre-restore-'))).toBe(true);
      });
      expect(restoreOut).toMatch(/restored .* \(db0 keys: 2100;/);
      const elapsed = Date.now() - takenAt;
      const after = {
        sessions: await snapshot(fresh.client(node, 'app'), 'session:*'),
        cache: await snapshot(fresh.client(node, 'cache', 1), 'cache*'),
      };
      for (const [name, original] of Object.entries(before) as ['sessions' | 'cache', Map<string, any>][]) {
        const restored = after[name];
        expect([...restored.keys()]).toEqual([...original.keys()]);
        for (const [k, v] of original) {
          const got = restored.get(k)!;
          expect([k, got.type, got.value]).toEqual([k, v.type, v.value]);
          if (v.pttl < 0) expect([k, got.pttl]).toEqual([k, v.pttl]);
          else expect([k, Math.abs(got.pttl - (v.pttl - elapsed)) < 3000]).toEqual([k, true]);
        }
      }
      expect(before.sessions.size).toBe(2100);
      expect(before.cache.size).toBe(501);
    } finally {
      await fresh.dispose();
    }
  });

  test('restore.sh refuses a backup that does not match its checksum', async () => {
    const dir = fs.mkdtempSync(path.join(lab.root, 'tampered-'));
    const restoreSh = path.join(dir, 'restore.sh');
    fs.writeFileSync(restoreSh, configMapData(objects, `${FULLNAME}-maintenance-scripts`)['restore.sh'], { mode: 0o555 });
    fs.writeFileSync(path.join(dir, 'redis-backup-x.rdb'), 'REDIS0009 tampered');
    fs.writeFileSync(path.join(dir, 'redis-backup-x.rdb.sha256'), `${'0'.repeat(64)}  redis-backup-x.rdb\n`);
    const data = path.join(dir, 'data');
    const res = await run('sh', [restoreSh, path.join(dir, 'redis-backup-x.rdb'), data], { timeoutMs: 20000 });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/does not match/);
    expect(fs.existsSync(data)).toBe(false);
  });

  test('the backup user can take a snapshot but read no key', async () => {
    const master = await cluster.waitSettled();
    expect((await cluster.cli(master, 'backup', ['GET', 'session:no-ttl'])).stdout).toMatch(/NOPERM/);
  });

  test('the session cleanup finds the master through the sentinels', async () => {
    const master = await cluster.waitSettled();
    const r = await lab.runJob('session-cleanup', { redisHost: 'unused.invalid', sentinelPattern });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^session-cleanup: scanned=2000 .* master=${master.ip.replace(/\./g, '\\.')}:6379 `));
  });

  test('a fourth node joins as a replica and leaves through preStop without losing acknowledged writes', async () => {
    const master = await cluster.waitSettled();
    const writer = new AckedWriter(cluster.client('app', { autoResendUnfulfilledCommands: false })).start();
    try {
      await writer.waitAcks(50);
      const fourth = cluster.addPod('redis');
      cluster.start(fourth);
      await cluster.waitSettled(60000, 'the fourth node to sync as a replica');
      expect(await cluster.role(fourth)).toBe('slave');
      expect((await cluster.info(master)).connected_slaves).toBe('3');
      await writer.waitAcks(50);
      const preStop = await cluster.terminate(fourth);
      expect(preStop?.code).toBe(0);
      await writer.waitAcks(50);
      await writer.stop();
      expect(writer.acked.length).toBeGreaterThan(150);
      const stillMaster = await cluster.waitSettled(30000, 'three nodes after the fourth left');
      expect(await writer.missingOn(cluster, stillMaster)).toEqual([]);
      for (const replica of cluster.redis.filter((p) => p !== stillMaster && p !== fourth)) {
        await waitFor('replica caught up', async () => (await writer.missingOn(cluster, replica)).length === 0, 10000);
      }
    } finally {
      await writer.stop();
    }
  });

  test('a scale-down that removes the master hands over in preStop without losing acknowledged writes', async () => {
    // The StatefulSet removes its highest ordinal; here that pod is made the one that is
    // master by letting the fourth node join and then retiring the current master pod the
    // same way (preStop, then SIGTERM), which is all a scale-down does to a pod.
    const fourth = cluster.redis[3];
    cluster.start(fourth);
    const master = await cluster.waitSettled(60000, 'the fourth node to rejoin');
    const writer = new AckedWriter(cluster.client('app', { autoResendUnfulfilledCommands: false })).start();
    try {
      await writer.waitAcks(50);
      const preStop = await cluster.terminate(master);
      expect(preStop?.code).toBe(0);
      expect(preStop?.stderr).toMatch(/mastership handed over/);
      await writer.waitAcks(50, 30000);
      await writer.stop();
      const newMaster = await cluster.waitSettled(30000, 'a new master among the remaining nodes');
      expect(newMaster).not.toBe(master);
      expect(await writer.missingOn(cluster, newMaster)).toEqual([]);
    } finally {
      await writer.stop();
    }
  });
});
