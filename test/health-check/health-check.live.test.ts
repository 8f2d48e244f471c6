/**
 * The health check (issue 18, part 2) proven on live processes: the helm test Pod of the SYNTHESIZED
 * manifests runs its own command, `sh /etc/health-check/health-check.sh` from the health-check
 * ConfigMap of the same manifests, against real redis-server, redis-sentinel and HAProxy processes
 * started from those manifests (test/support/redis), with the env an application gets (the client
 * contract, the passwords, the CA file) and the cluster DNS names resolved as in a pod. It passes on a
 * healthy deployment and fails, saying what is wrong, on a broken one. Loopback 127.0.31.x.
 */
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { loadDist, renderEnvironment } from '../support/manifests';
import {
  CLUSTER_BINARIES, FAST_SCRIPT_ENV, HealthCheckRun, MasterEndpoint, PodNetwork, RedisCluster, healthCheckPod, runHealthCheck, settledCluster, startMasterEndpoint, waitFor,
} from '../support/redis';
import { makeCa } from '../support/tls-issuer';

jest.setTimeout(180000);

const OCTET = 31;

/** The lines of a run, for a failure message that shows what the script printed. */
const shown = (r: HealthCheckRun) => `exit ${r.code}\n${r.output}`;

function expectPassed(r: HealthCheckRun, checks: RegExp[]) {
  expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringMatching(/health check passed: \d+ checks\n$/) });
  expect(r.output).not.toMatch(/^FAIL/m);
  for (const check of checks) expect([check.source, check.test(r.output)]).toEqual([check.source, true]);
}

function expectFailed(r: HealthCheckRun, reason: RegExp) {
  expect([shown(r), r.code]).toEqual([shown(r), 1]);
  expect(r.output).toMatch(reason);
  expect(r.output).toMatch(/^health check FAILED: \d+ of \d+ checks failed$/m);
}

describeWithBinaries([...CLUSTER_BINARIES, 'haproxy', 'unshare'], 'the health check of dist/production (Sentinel, master endpoint, TLS on)', () => {
  let cluster: RedisCluster;
  let endpoint: MasterEndpoint;
  const logged = settledCluster({ octet: OCTET, env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  beforeAll(async () => {
    endpoint = await startMasterEndpoint(cluster);
  });
  afterAll(() => endpoint?.stop());

  test('the helm test Pod runs the script of the health-check ConfigMap, as the client contract configures an app', () => {
    const pod = healthCheckPod(cluster.objects, cluster.fullname);
    const container = pod.spec.containers[0];
    expect(container.command).toEqual(['sh', '/etc/health-check/health-check.sh']);
    expect(pod.spec.volumes.find((v: any) => v.name === 'scripts').configMap.name).toBe(`${cluster.fullname}-health-check`);
    expect(container.envFrom).toEqual([{ configMapRef: { name: `${cluster.fullname}-client` } }]);
    expect(cluster.tlsEnabled).toBe(true);
  });

  test('passes on the healthy deployment: TLS, the Sentinels, the master, the master endpoint, sessions in DB 0, cache in DB 1', logged(async () => {
    const master = await cluster.waitSettled();
    // HAProxy needs a check interval or two after the topology settles.
    const r = await waitFor('a passing health check', async () => {
      const run = await runHealthCheck(cluster, endpoint.network);
      return run.code === 0 ? run : undefined;
    }, 30000, 500).catch(async () => runHealthCheck(cluster, endpoint.network));
    console.log(`health check, production with TLS: ${r.ms} ms\n${r.output}`);
    expectPassed(r, [
      /^ok +tls: .* verified with the CA \/.*\/ca\.crt$/m,
      new RegExp(`^ok +sentinels: all 3 Sentinels and the Service .* name ${master.ip.replace(/\./g, '\\.')}:6379 as master of mymaster$`, 'm'),
      /^ok +master: .* reports role master$/m,
      /^ok +master endpoint: session-database-master\..*:6379 routes to the master /m,
      /^ok +sessions: user app wrote, read and expired session:health-check:.* in DB 0 /m,
      /^ok +cache: user cache wrote, read and expired cache:health-check:.* in DB 1 /m,
    ]);
    // It cleans up after itself: nothing of it is left in either database.
    expect(await cluster.ask(master, 'sentinel', 'INFO', 'keyspace')).not.toMatch(/db[01]:keys=[1-9]/);
  }));

  test('fails when the app password is wrong, naming the refused login', logged(async () => {
    const r = await runHealthCheck(cluster, endpoint.network, { passwords: { app: 'not-the-app-password' } });
    expectFailed(r, /^FAIL sentinels: sentinel 0 \(.*\) names no master for mymaster: .*WRONGPASS/m);
    expect(r.output).not.toContain('not-the-app-password');
  }));

  test('fails when the cache password is wrong, after the session check passed', logged(async () => {
    const r = await runHealthCheck(cluster, endpoint.network, { passwords: { cache: 'not-the-cache-password' } });
    expectFailed(r, /^FAIL cache: user cache could not write cache:health-check:.* in DB 1 .*WRONGPASS/m);
    expect(r.output).toMatch(/^ok +sessions: /m);
  }));

  test('fails when the master endpoint address leads to a replica', logged(async () => {
    const master = await cluster.waitSettled();
    const replica = cluster.redis.find((p) => p !== master)!;
    const replicaHost = [...cluster.hosts].find(([name, ip]) => ip === replica.ip && name.includes('-headless.'))![0];
    const r = await runHealthCheck(cluster, endpoint.network, { env: { REDIS_HOST: replicaHost } });
    expectFailed(r, new RegExp(`^FAIL master endpoint: ${replicaHost.replace(/\./g, '\\.')}:6379 reports role 'slave', not master$`, 'm'));
  }));

  test('fails when the servers do not verify with the CA file given', logged(async () => {
    const other = makeCa(path.join(cluster.root, 'other-ca'), 'another CA', { algorithm: 'ECDSA', size: 256 });
    const r = await runHealthCheck(cluster, endpoint.network, { env: { REDIS_TLS_CA_FILE: other.certFile } });
    expectFailed(r, /^FAIL tls: session-database-sentinel\..*:26379 did not answer over TLS verified with the CA .*other-ca.*: .*certificate verify failed/m);
  }));

  test('fails when a Sentinel names another master than the others', logged(async () => {
    const master = await cluster.waitSettled();
    const replica = cluster.redis.find((p) => p !== master)!;
    const rogue = cluster.sentinels[2];
    // Sentinel 2 forgets the master and monitors a replica under the same name (epoch 0: the others'
    // hello messages do not correct it).
    await cluster.ask(rogue, 'sentinel', 'SENTINEL', 'REMOVE', cluster.masterName);
    await cluster.ask(rogue, 'sentinel', 'SENTINEL', 'MONITOR', cluster.masterName, replica.ip, '6379', '2');
    const r = await runHealthCheck(cluster, endpoint.network);
    expectFailed(r, new RegExp(`^FAIL sentinels: the Sentinels disagree on the master of mymaster: sentinel-0=${master.ip}:6379 sentinel-1=${master.ip}:6379 sentinel-2=${replica.ip}:6379$`.replace(/\./g, '\\.'), 'm'));
    expect(r.output).toMatch(/^FAIL data: no master to write to/m);
  }));
});

describeWithBinaries([...CLUSTER_BINARIES, 'haproxy', 'unshare'], 'the health check of production with TLS off (synthesized in memory)', () => {
  let cluster: RedisCluster;
  let endpoint: MasterEndpoint;
  const logged = settledCluster({ octet: OCTET, objects: renderEnvironment('production', { tls: { enabled: false } }), env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  beforeAll(async () => {
    endpoint = await startMasterEndpoint(cluster);
  });
  afterAll(() => endpoint?.stop());

  test('passes in plaintext, and fails when a Sentinel does not answer', logged(async () => {
    expect(cluster.tlsEnabled).toBe(false);
    await cluster.waitSettled();
    const r = await waitFor('a passing health check', async () => {
      const run = await runHealthCheck(cluster, endpoint.network);
      return run.code === 0 ? run : undefined;
    }, 30000, 500).catch(async () => runHealthCheck(cluster, endpoint.network));
    console.log(`health check, production without TLS: ${r.ms} ms\n${r.output}`);
    expectPassed(r, [/^ok +sentinels: all 3 Sentinels/m, /^ok +master endpoint: /m, /^ok +sessions: /m, /^ok +cache: /m]);
    expect(r.output).not.toMatch(/tls:/);

    await cluster.stop(cluster.sentinels[1]);
    const down = await runHealthCheck(cluster, endpoint.network);
    expectFailed(down, /^FAIL sentinels: sentinel 1 \(session-database-sentinel-1\..*\) names no master for mymaster: .*(Could not connect|Connection refused)/m);

    // A new pod may be refused for a moment before the NetworkPolicy implementation admits it: the check waits
    // for its first address (here sentinel 1, which comes back 3 s later) instead of failing at once.
    const sentinel1 = /\((session-database-sentinel-1\.\S+)\)/.exec(down.output)![1];
    const late = runHealthCheck(cluster, endpoint.network, { env: { REDIS_SENTINELS: `${sentinel1}:26379` } });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    cluster.start(cluster.sentinels[1]);
    const r2 = await late;
    expectPassed(r2, [/^ok +sentinels: all 3 Sentinels/m, /^ok +sessions: /m]);
    expect(r2.output).toMatch(/took connections after [1-9]\d*s/);
  }));
});

describeWithBinaries([...CLUSTER_BINARIES, 'unshare'], 'the health check of dist/dev (standalone)', () => {
  let cluster: RedisCluster;
  let network: PodNetwork;
  const logged = settledCluster({ octet: OCTET, objects: loadDist('dev'), env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  beforeAll(async () => {
    network = new PodNetwork(cluster);
    await network.start();
  });
  afterAll(() => network?.stop());

  test('passes through the Redis Service, and fails on a wrong cache password', logged(async () => {
    const r = await runHealthCheck(cluster, network);
    console.log(`health check, dev: ${r.ms} ms\n${r.output}`);
    expectPassed(r, [/^ok +master: session-database-redis\.session-dev\.svc\.cluster\.local:6379 reports role master$/m, /^ok +sessions: .* in DB 0 /m, /^ok +cache: .* in DB 1 /m]);
    expect(r.output).not.toMatch(/sentinels:|master endpoint:/);
    const bad = await runHealthCheck(cluster, network, { passwords: { cache: 'wrong' } });
    expectFailed(bad, /^FAIL cache: user cache could not write .*WRONGPASS/m);
  }));
});
