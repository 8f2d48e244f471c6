import { IN_CI, describeWithBinaries } from '../support/binaries';
import { eventually } from '../support/cluster';
import { NODE_NAME } from '../../scripts/cluster/network';
import { RELEASE } from '../support/helm';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { inNode, nodeDir } from '../../scripts/node/node';
import { DrillClient, podLogs, startDrillClient } from './drill-client';
import { crashDrill, deletePodDrill, rolloutRestartDrill, rollingUpgradeDrill, sentinelMaster, wholeAgain } from './drills';
import { requestRenewal } from '../../scripts/cluster/cert-manager';
import { ON_REAL_NODE, certificateSerial, containerPid, installProductionOnNode, redisCliInNode, redisTlsArgs, servedCertificate, useRealNode } from './support';
import { probeConnections } from './connection-probe';

/** What the node needs on this machine besides what it builds (.ci/run installs them). */
const NODE_PROGRAMS = ['ip', 'nsenter', 'gcc', 'nft', 'curl', 'redis-cli', 'apt-get', 'dpkg-deb', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local'];

if (process.getuid?.() !== 0 && IN_CI) throw new Error('test/node needs root (network namespaces, cgroups, mounts)');

describeWithBinaries(NODE_PROGRAMS, 'a real node joined to the local cluster', () => {
  const { cluster, node } = useRealNode();
  /** The production release of the install test, which the drills use. */
  let ns = '';
  /** The drill client of the production release (started after the install). */
  let client: DrillClient | undefined;
  let monitoringNs = '';
  /** The release's values on top of productionValuesOnNode, for the install and every upgrade. */
  let releaseArgs: string[] = [];
  /** The release's Certificate whose Secret the Redis pods serve. */
  const redisCertificate = () =>
    (cluster.json(['get', 'certificates', '-n', ns]).items as { metadata: { name: string }; spec: { secretName: string } }[]).find((c) => /-redis-tls$/.test(c.spec.secretName))!;
  const drillClient = () => {
    if (!client) throw new Error('the drill client did not start');
    return client;
  };

  test('the node registers Ready with kubelet 1.35 on containerd 2, tainted so that no other test lands there', () => {
    const n = cluster.json(['get', 'node', NODE_NAME]);
    expect(n.status.nodeInfo.kubeletVersion).toBe('v1.35.4');
    expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/2\.4\.2/);
    expect(n.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(n.spec.taints).toContainEqual({ key: ON_REAL_NODE.tolerations[0].key, value: 'true', effect: 'NoSchedule' });
  });

  test('a restricted pod of the local redis image runs, passes an exec probe and answers on its pod address', async () => {
    const ns = cluster.namespace('node-pod');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'redis', namespace: ns },
      spec: {
        ...ON_REAL_NODE,
        securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'redis',
            image: node().images.redis.ref,
            imagePullPolicy: 'Never',
            command: ['redis-server', '--port', '6379', '--save', '', '--protected-mode', 'no'],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 1 },
          },
        ],
      },
    };
    cluster.kubectlOk(['create', '-f', '-'], JSON.stringify(pod));
    cluster.kubectlOk(['wait', '--for=condition=Ready', `pod/redis`, '-n', ns, '--timeout=60s']);
    const ip = cluster.json(['get', 'pod', 'redis', '-n', ns]).status.podIP as string;
    expect(ip).toMatch(/^10\.244\.200\./);
    expect(redisCliInNode(['-h', ip, 'ping']).stdout.trim()).toBe('PONG');
  }, 120_000);

  test('helm install --wait of the production values (TLS from the real cert-manager controller) reaches Ready with exactly one master, serving the issued certificate', async () => {
    ns = cluster.namespace('node-prod', { 'session-database/clients': 'true' });
    // The Prometheus namespace the exporter ports admit: one of this run's (the API server labels every
    // namespace with kubernetes.io/metadata.name, which the policy matches).
    monitoringNs = cluster.namespace('node-mon');
    releaseArgs = ['--set', `networkPolicy.monitoring.namespace=${monitoringNs}`];
    await installProductionOnNode(cluster, node(), ns, releaseArgs);

    const password = cluster.json(['get', 'secret', 'session-database-auth', '-n', ns]).data['monitor-password'];
    const pods = cluster.json(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=redis']).items as { metadata: { name: string }; status: { podIP: string } }[];
    expect(pods).toHaveLength(3);
    const tls = redisTlsArgs(cluster, ns);
    expect(tls).toContain('--tls');
    const roles = await eventually('every Redis pod reports a role over TLS', () => {
      const seen = pods.map((p) => redisCliInNode([...tls, '-h', p.status.podIP, '--user', 'monitor', 'role'], Buffer.from(password, 'base64').toString()).stdout.split('\n')[0]);
      return seen.every((role) => role === 'master' || role === 'slave') ? seen : undefined;
    });
    expect(roles.filter((r) => r === 'master')).toHaveLength(1);
    // Each Redis serves the leaf cert-manager wrote into the Secret, and it verifies with the clients' CA.
    const issued = certificateSerial(Buffer.from(cluster.json(['get', 'secret', redisCertificate().spec.secretName, '-n', ns]).data['tls.crt'], 'base64').toString());
    for (const p of pods) expect(servedCertificate(p.status.podIP, 6379, tls[2])).toEqual({ serial: issued, verified: true });
  }, 480_000);

  test('NetworkPolicies are enforced: only labelled clients of labelled namespaces reach Redis and Sentinel, only the monitoring namespace the exporters', async () => {
    // Probed once the release is settled (every Sentinel agrees, all Redis pods Ready).
    await wholeAgain(cluster, ns);
    const ip = (pod: string) => cluster.json(['get', 'pod', pod, '-n', ns]).status.podIP as string;
    const redis = ip(`${RELEASE}-redis-0`);
    const sentinel = ip(`${RELEASE}-sentinel-0`);
    const sentinelService = `${RELEASE}-sentinel.${ns}.svc.cluster.local`;
    const checks = [
      { name: 'redis', kind: 'rediss', host: redis, port: 6379 },
      { name: 'sentinel', kind: 'rediss', host: sentinel, port: 26379 },
      // Through the Service (kube-proxy's DNAT, then the policy) and cluster DNS.
      { name: 'sentinel-service', kind: 'rediss', host: sentinelService, port: 26379 },
      { name: 'exporter', kind: 'http', host: redis, port: 9121 },
    ] as const;
    const client = { 'session-database/client': 'true' };
    const otherNs = cluster.namespace('node-other');
    const labelledNs = cluster.namespace('node-clients', { 'session-database/clients': 'true' });
    const [unlabelled, labelled, otherNamespace, labelledNamespace, monitoring] = await Promise.all([
      probeConnections(cluster, node(), ns, 'probe-unlabelled', { app: 'probe' }, checks),
      probeConnections(cluster, node(), ns, 'probe-client', client, checks),
      probeConnections(cluster, node(), otherNs, 'probe-client', client, checks),
      probeConnections(cluster, node(), labelledNs, 'probe-client', client, checks),
      probeConnections(cluster, node(), monitoringNs, 'probe-prometheus', { app: 'prometheus' }, checks),
    ]);
    expect(unlabelled).toEqual({ redis: 'closed', sentinel: 'closed', 'sentinel-service': 'closed', exporter: 'closed' });
    expect(labelled).toEqual({ redis: 'open', sentinel: 'open', 'sentinel-service': 'open', exporter: 'closed' });
    expect(otherNamespace).toEqual({ redis: 'closed', sentinel: 'closed', 'sentinel-service': 'closed', exporter: 'closed' });
    expect(labelledNamespace).toEqual({ redis: 'open', sentinel: 'open', 'sentinel-service': 'open', exporter: 'closed' });
    expect(monitoring).toEqual({ redis: 'closed', sentinel: 'closed', 'sentinel-service': 'closed', exporter: 'open' });
  }, 300_000);

  test('every component resolves the cluster DNS names it uses under its egress policy (Redis and Sentinel containers)', async () => {
    const peer = `${RELEASE}-redis-1.${RELEASE}-redis-headless.${ns}.svc.cluster.local`;
    const sentinelPeer = `${RELEASE}-sentinel-2.${RELEASE}-sentinel-headless.${ns}.svc.cluster.local`;
    for (const [pod, container] of [[`${RELEASE}-redis-0`, 'redis'], [`${RELEASE}-sentinel-0`, 'sentinel']]) {
      const pid = containerPid(node(), ns, pod, container);
      for (const name of [peer, sentinelPeer]) {
        // The container's own mounts (resolv.conf, getent) and network (its pod address, its policies).
        // Asked again for up to 10 s: a new pod's address reaches the firewall a moment after it starts.
        const lookup = () => spawnSync('nsenter', ['-t', String(pid), '-m', '-n', '--', 'getent', 'hosts', name], { encoding: 'utf8', timeout: 15_000 });
        const r = await eventually(`${pod} resolves ${name}`, () => {
          const attempt = lookup();
          return attempt.status === 0 ? attempt : undefined;
        }, 10_000).catch(() => lookup());
        expect({ pod, name, status: r.status, resolved: /^10\.244\.200\.\d+\s/.test(r.stdout) }).toEqual({ pod, name, status: 0, resolved: true });
      }
    }
  }, 300_000);

  test('a client pod labelled as a client writes numbered sessions through Sentinel discovery, each acknowledged by WAIT', async () => {
    client = await startDrillClient(cluster, node(), ns, RELEASE);
    expect(client.acks().length).toBeGreaterThanOrEqual(20);
    expect(client.lostAcknowledgedWrites()).toEqual([]);
  }, 120_000);

  test('after the master\'s redis-server is killed (a crash), one master and two replicas again, writes flow and no acknowledged write is lost', async () => {
    const r = await crashDrill(cluster, node(), ns, drillClient());
    process.stderr.write(`crash drill: ${r.masterBefore} -> ${r.masterAfter}, whole again in ${r.settledSeconds.toFixed(2)} s, longest write gap ${r.gapSeconds.toFixed(2)} s, ${r.lost.length} acknowledged writes lost\n`);
    expect(r.lost).toEqual([]);
  }, 300_000);

  test('kubectl delete pod of the master hands mastership over (preStop): another master, writes flow, no acknowledged write is lost', async () => {
    const r = await deletePodDrill(cluster, ns, drillClient());
    process.stderr.write(`delete-pod drill: ${r.masterBefore} -> ${r.masterAfter}, whole again in ${r.settledSeconds.toFixed(2)} s, longest write gap ${r.gapSeconds.toFixed(2)} s, ${r.lost.length} acknowledged writes lost\n`);
    expect(r.masterAfter).not.toBe(r.masterBefore);
    expect(r.lost).toEqual([]);
  }, 300_000);

  test('helm upgrade that changes the pod template rolls the StatefulSet one pod at a time and loses no acknowledged write', async () => {
    const r = await rollingUpgradeDrill(cluster, node(), ns, drillClient(), 'rolled-once', releaseArgs);
    process.stderr.write(`rolling upgrade: order ${r.order.join(', ')} (master before: ${r.masterBefore}, after: ${r.masterAfter}), at most ${r.mostUnavailable} in replacement (${r.mostNotReady} not Ready), longest write gap ${r.gapSeconds.toFixed(2)} s, ${r.lost.length} lost, ${r.settledSeconds.toFixed(1)} s\n`);
    expect(r.order).toEqual([`${RELEASE}-redis-2`, `${RELEASE}-redis-1`, `${RELEASE}-redis-0`]);
    expect(r.mostUnavailable).toBeLessThanOrEqual(1);
    // The pods the rollout is not replacing stay Ready throughout: their probes never fail meanwhile.
    expect(r.mostNotReady).toBeLessThanOrEqual(1);
    expect(r.lost).toEqual([]);
    const annotations = cluster.json(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=redis']).items.map((p: { metadata: { annotations: Record<string, string> } }) => p.metadata.annotations['session-database/drill']);
    expect(annotations).toEqual(['rolled-once', 'rolled-once', 'rolled-once']);
  }, 700_000);

  test('a forced renewal of the Redis certificate (cmctl renew) writes a new Secret, and the documented rolling restart serves it without losing an acknowledged write', async () => {
    const certificate = redisCertificate();
    const serialOf = () => certificateSerial(Buffer.from(cluster.json(['get', 'secret', certificate.spec.secretName, '-n', ns]).data['tls.crt'], 'base64').toString());
    const before = serialOf();
    requestRenewal((args) => cluster.kubectlOk(args), ns, certificate.metadata.name);
    const renewed = await eventually('a new certificate in the Redis TLS Secret', () => {
      const now = serialOf();
      return now !== before ? now : undefined;
    }, 60_000);

    const r = await rolloutRestartDrill(cluster, ns, drillClient());
    process.stderr.write(`renewal + rollout restart: order ${r.order.join(', ')}, at most ${r.mostUnavailable} in replacement (${r.mostNotReady} not Ready), longest write gap ${r.gapSeconds.toFixed(2)} s, ${r.lost.length} lost, ${r.settledSeconds.toFixed(1)} s\n`);
    expect(r.lost).toEqual([]);
    expect(r.mostUnavailable).toBeLessThanOrEqual(1);
    expect(r.mostNotReady).toBeLessThanOrEqual(1);
    const tls = redisTlsArgs(cluster, ns);
    const pods = cluster.json(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=redis']).items as { status: { podIP: string } }[];
    for (const p of pods) expect(servedCertificate(p.status.podIP, 6379, tls[2])).toEqual({ serial: renewed, verified: true });
  }, 700_000);

  test('a Job from each CronJob (session cleanup, cache cleanup, backup) completes against the live master with its own ACL user', async () => {
    const secret = cluster.json(['get', 'secret', `${RELEASE}-auth`, '-n', ns]).data as Record<string, string>;
    const password = (user: string) => Buffer.from(secret[`${user}-password`], 'base64').toString();
    const master = sentinelMaster(cluster, ns);
    const masterIp = cluster.json(['get', 'pod', master, '-n', ns]).status.podIP as string;
    const asUser = (user: string, db: number, commands: string[][]) => {
      const [cmd, args] = inNode('redis-cli', ['--no-auth-warning', ...redisTlsArgs(cluster, ns), '-h', masterIp, '--user', user, '-n', String(db)]);
      const r = spawnSync(cmd, args, { encoding: 'utf8', input: commands.map((c) => c.join(' ')).join('\n') + '\n', env: { ...process.env, REDISCLI_AUTH: password(user) } });
      if (r.status !== 0) throw new Error(`redis-cli as ${user}: ${r.stderr}`);
      return r.stdout.trim().split('\n');
    };
    // One user over the session limit (production: 5) with a stale index entry; one cache index with a stale entry.
    const sessions = Array.from({ length: 8 }, (_, i) => `cronu-s${i}`);
    asUser('app', 0, [
      ...sessions.map((id) => ['SET', `session:${id}`, 'x', 'EX', '3600']),
      ['ZADD', 'session:user:cronu', ...sessions.flatMap((id, i) => [String(1_700_000_000_000 + i * 1000), id]), '1690000000000', 'cronu-gone'],
    ]);
    asUser('cache', 1, [
      ['SET', 'cache:drill:a', 'x', 'EX', '3600'],
      ['SET', 'cache:drill:b', 'x', 'EX', '3600'],
      ['ZADD', 'cache_index:drill', '1', 'a', '2', 'b', '3', 'c'],
    ]);

    for (const cronJob of ['session-cleanup', 'cache-cleanup', 'backup']) {
      const job = `${cronJob}-now`;
      cluster.kubectlOk(['create', 'job', job, `--from=cronjob/${RELEASE}-${cronJob}`, '-n', ns]);
      await eventually(`Job ${job} complete`, () => {
        const status = cluster.json(['get', 'job', job, '-n', ns]).status;
        if (status.failed) throw new Error(`Job ${job} failed:\n${podLogs(ns, job)}`);
        return status.succeeded === 1 || undefined;
      }, 180_000);
    }

    // The session cleanup evicted the three oldest sessions and the stale entry; the cache cleanup the stale entry.
    expect(asUser('app', 0, [['ZRANGE', 'session:user:cronu', '0', '-1']])).toEqual(sessions.slice(3));
    expect(asUser('app', 0, sessions.slice(0, 3).map((id) => ['EXISTS', `session:${id}`]))).toEqual(['0', '0', '0']);
    expect(asUser('cache', 1, [['ZRANGE', 'cache_index:drill', '0', '-1']])).toEqual(['a', 'b']);
    // The backup left a verified RDB and its checksum on the backup volume.
    const backups = fs.readdirSync(path.join(nodeDir(), 'volumes', ns, `${RELEASE}-backup`));
    expect(backups.filter((f) => /^redis-backup-\d{8}T\d{6}Z\.rdb$/.test(f))).toHaveLength(1);
    expect(backups.filter((f) => /^redis-backup-\d{8}T\d{6}Z\.rdb\.sha256$/.test(f))).toHaveLength(1);
  }, 600_000);

  test('helm test runs the health check Pod on the node after the drills: the Sentinels agree, the master endpoint (HAProxy pods on the node) leads to the master, app and cache work over TLS', async () => {
    const haproxy = cluster.json(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=haproxy']).items as { spec: { nodeName: string } }[];
    expect(haproxy.map((p) => p.spec.nodeName)).toEqual([NODE_NAME, NODE_NAME]);
    const r = cluster.helm(4, ['test', RELEASE, '-n', ns, '--timeout', '3m'], 240_000);
    const logs = podLogs(ns, `${RELEASE}-health-check`, 60);
    expect({ status: r.status, out: r.status === 0 ? '' : `${r.stdout}${r.stderr}\n${logs}` }).toEqual({ status: 0, out: '' });
    expect(cluster.json(['get', 'pod', `${RELEASE}-health-check`, '-n', ns]).spec.nodeName).toBe(NODE_NAME);
    expect(logs).toMatch(/ok +master endpoint: .* routes to the master/);
    expect(logs).not.toMatch(/^\S+ stdout F FAIL/m);
  }, 300_000);
});
