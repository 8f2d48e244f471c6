import { describeWithBinaries } from '../support/binaries';
import { K8sObject, loadDist, renderEnvironment } from '../support/manifests';
import { FAST_SCRIPT_ENV, RedisCluster, killGroup, withLogs } from '../support/redis';

jest.setTimeout(90000);

// Both transport modes, one after the other on the same addresses: production as shipped
// (tls.enabled, dist/production) and the same values with TLS off (plaintext).
const MODES: [string, () => K8sObject[], boolean][] = [
  ['over TLS (dist/production)', () => loadDist('production'), true],
  ['in plaintext (values/production.yaml with tls.enabled: false)', () => renderEnvironment('production', { tls: { enabled: false } }), false],
];

for (const [mode, objects, tls] of MODES) {
  describeWithBinaries(['redis-server', 'redis-sentinel', 'redis-cli', 'openssl'], `the production topology replicates on real Redis ${mode}`, () => {
    let cluster: RedisCluster;
    const logged = withLogs(() => cluster);

    beforeAll(async () => {
      cluster = new RedisCluster({ octet: 10, objects: objects(), env: FAST_SCRIPT_ENV });
      expect(cluster.tlsEnabled).toBe(tls);
      expect(cluster.cliArgs.includes('--tls')).toBe(tls);
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

    test(tls ? 'the nodes run TLS-only and a plaintext redis-cli gets no answer' : 'the nodes run without TLS and a plaintext redis-cli is served', logged(async () => {
      for (const p of cluster.pods) {
        const plain = await cluster.cli(p, 'monitor', ['PING'], { cliArgs: [] });
        expect({ pod: p.name, pong: plain.stdout.trim() === 'PONG' }).toEqual({ pod: p.name, pong: !tls });
        expect(await cluster.ask(p, 'monitor', 'PING')).toBe('PONG');
      }
      expect(await cluster.ask(cluster.redis[0], 'monitor', 'CONFIG', 'GET', 'tls-port')).toBe(`tls-port\n${tls ? 6379 : 0}`);
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

    test('a probe of a server that stops answering fails on its own within its timeoutSeconds, so the kubelet never has to kill it', logged(async () => {
      const master = await cluster.waitSettled();
      // A stopped process still completes TCP handshakes (the kernel's backlog) but never answers.
      for (const pod of [cluster.redis.find((p) => p !== master)!, cluster.sentinels[0]]) {
        killGroup(pod.proc!.pid!, 'SIGSTOP');
        try {
          for (const which of ['livenessProbe', 'readinessProbe'] as const) {
            const r = await cluster.probe(pod, which, { asShipped: true });
            const limitMs = pod.container[which].timeoutSeconds * 1000;
            expect({ pod: pod.name, which, code: r.code, withinTimeout: r.ms < limitMs }).toEqual({ pod: pod.name, which, code: 1, withinTimeout: true });
          }
        } finally {
          killGroup(pod.proc!.pid!, 'SIGCONT');
        }
      }
      await cluster.waitSettled(30000, 'the stopped pods to answer again');
    }));
  });
}
