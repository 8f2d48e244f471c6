import { describeWithBinaries } from '../support/binaries';
import { FAST_SCRIPT_ENV, RedisCluster, withLogs } from '../support/redis-harness';

jest.setTimeout(90000);

describeWithBinaries(['redis-server', 'redis-sentinel', 'redis-cli'], 'the production topology replicates on real Redis', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);

  beforeAll(async () => {
    cluster = new RedisCluster({ octet: 10, env: FAST_SCRIPT_ENV });
    cluster.startAll();
    await cluster.waitSettled(45000, 'three nodes and three sentinels to settle');
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('pod 0 boots as the master and the other pods replicate from it', logged(async () => {
    const roles = await Promise.all(cluster.redis.map((p) => cluster.role(p)));
    expect(roles).toEqual(['master', 'slave', 'slave']);
    // ROLE in full: the master lists both replicas by their announced address; each replica names the master.
    const masterRole = (await cluster.ask(cluster.redis[0], 'sentinel', 'ROLE')).split('\n');
    for (const replica of cluster.redis.slice(1)) expect(masterRole).toContain(replica.ip);
    for (const replica of cluster.redis.slice(1)) {
      const role = (await cluster.ask(replica, 'sentinel', 'ROLE')).split('\n');
      expect(role.slice(0, 4)).toEqual(['slave', cluster.redis[0].ip, '6379', 'connected']);
    }
    const master = await cluster.info(cluster.redis[0]);
    expect(master.connected_slaves).toBe('2');
    for (const replica of cluster.redis.slice(1)) {
      const info = await cluster.info(replica);
      expect(info).toMatchObject({ role: 'slave', master_host: cluster.redis[0].ip, master_port: '6379', master_link_status: 'up' });
      // The master lists the replica under its announced address.
      expect(Object.values(master).some((v) => v.includes(`ip=${replica.ip},port=6379,state=online`))).toBe(true);
    }
  }));

  test('a write on the master is on both replicas', logged(async () => {
    const [master, ...replicas] = cluster.redis;
    const value = `v-${Date.now()}`;
    expect(await cluster.ask(master, 'app', 'SET', 'session:replication-check', value)).toBe('OK');
    expect(await cluster.ask(master, 'app', 'WAIT', '2', '5000')).toBe('2');
    for (const r of replicas) expect(await cluster.ask(r, 'app', 'GET', 'session:replication-check')).toBe(value);
  }));

  test('a replica refuses writes', logged(async () => {
    const r = await cluster.cli(cluster.redis[1], 'app', ['SET', 'session:x', '1']);
    expect(r.stdout).toMatch(/^READONLY/);
  }));

  test('all three sentinels agree on one master and know both replicas and each other', logged(async () => {
    expect(await cluster.sentinelMasters()).toEqual([cluster.redis[0].ip, cluster.redis[0].ip, cluster.redis[0].ip]);
    for (const s of cluster.sentinels) {
      const master = await cluster.ask(s, 'sentinel', 'SENTINEL', 'master', cluster.masterName);
      const fields = master.split('\n');
      const field = (k: string) => fields[fields.indexOf(k) + 1];
      expect(field('num-slaves')).toBe('2');
      expect(field('num-other-sentinels')).toBe('2');
      expect(field('quorum')).toBe(cluster.envOf('QUORUM'));
      expect(await cluster.ask(s, 'sentinel', 'SENTINEL', 'ckquorum', cluster.masterName)).toMatch(/^OK 3 usable Sentinels/);
    }
  }));

  test('the readiness and liveness probes of the manifests pass on every pod', logged(async () => {
    for (const p of cluster.pods) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        const r = await cluster.probe(p, probe);
        expect({ pod: p.name, probe, code: r.code, out: r.stdout + r.stderr }).toEqual({ pod: p.name, probe, code: 0, out: '' });
      }
    }
  }));
});
