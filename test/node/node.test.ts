import { IN_CI, describeWithBinaries } from '../support/binaries';
import { eventually } from '../support/cluster';
import { NODE_NAME } from '../../scripts/cluster/network';
import { ON_REAL_NODE, containerPid, installProductionOnNode, redisCliInNode, useRealNode } from './support';

/** What the node needs on this machine besides what it builds (.ci/run installs them). */
const NODE_PROGRAMS = ['ip', 'nsenter', 'gcc', 'nft', 'curl', 'redis-cli', 'apt-get', 'dpkg-deb', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local'];

if (process.getuid?.() !== 0 && IN_CI) throw new Error('test/node needs root (network namespaces, cgroups, mounts)');

describeWithBinaries(NODE_PROGRAMS, 'a real node joined to the local cluster', () => {
  const { cluster, node } = useRealNode();
  /** The production release of the install test, which the drills use. */
  let ns = '';

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

  test('helm install --wait of the production values (TLS off: no cert-manager controller yet) reaches Ready with exactly one master', async () => {
    ns = cluster.namespace('node-prod', { 'session-database/clients': 'true' });
    installProductionOnNode(cluster, node(), ns);

    const password = cluster.json(['get', 'secret', 'session-database-auth', '-n', ns]).data['monitor-password'];
    const pods = cluster.json(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=redis']).items as { metadata: { name: string }; status: { podIP: string } }[];
    expect(pods).toHaveLength(3);
    const roles = await eventually('every Redis pod reports a role', () => {
      const seen = pods.map((p) => redisCliInNode(['-h', p.status.podIP, '--user', 'monitor', 'role'], Buffer.from(password, 'base64').toString()).stdout.split('\n')[0]);
      return seen.every((role) => role === 'master' || role === 'slave') ? seen : undefined;
    });
    expect(roles.filter((r) => r === 'master')).toHaveLength(1);
  }, 480_000);

  test('after the master\'s redis-server is killed (a crash), the Sentinels name one master that answers as master, and the others replicate', async () => {
    const secret = cluster.json(['get', 'secret', 'session-database-auth', '-n', ns]).data as Record<string, string>;
    const monitor = Buffer.from(secret['monitor-password'], 'base64').toString();
    const sentinelIp = cluster.json(['get', 'pod', 'session-database-sentinel-0', '-n', ns]).status.podIP as string;
    const masterHost = () => redisCliInNode(['-h', sentinelIp, '-p', '26379', '--user', 'monitor', 'sentinel', 'get-master-addr-by-name', 'mymaster'], monitor).stdout.split('\n')[0].trim();
    const before = masterHost();
    const masterPod = before.split('.')[0];
    expect(masterPod).toMatch(/^session-database-redis-\d$/);

    const crashed = Date.now();
    process.kill(containerPid(node(), ns, masterPod, 'redis'), 'SIGKILL');
    // The kubelet restarts the container at once: either the Sentinels promote a replica (down-after
    // passed) or the restarted pod is master again before they agree it is down. Either way: one master.
    const pods = () => cluster.json(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=redis']).items as { metadata: { name: string }; status: { podIP: string } }[];
    const settled = await eventually('one master named by the Sentinels and answering as master, two replicas', () => {
      const named = masterHost().split('.')[0];
      const roles = pods().map((p) => [p.metadata.name, redisCliInNode(['-h', p.status.podIP, '--user', 'monitor', 'role'], monitor).stdout.split('\n')[0]] as const);
      const masters = roles.filter(([, r]) => r === 'master').map(([n]) => n);
      return masters.length === 1 && masters[0] === named && roles.filter(([, r]) => r === 'slave').length === 2 ? named : undefined;
    }, 120_000);
    process.stderr.write(`crash -> one master again: ${((Date.now() - crashed) / 1000).toFixed(2)} s (${masterPod} -> ${settled})\n`);
  }, 240_000);

  test('kubectl delete pod of the master leads to another master named by the Sentinels, and one master once the pod is back', async () => {
    const secret = cluster.json(['get', 'secret', 'session-database-auth', '-n', ns]).data as Record<string, string>;
    const monitor = Buffer.from(secret['monitor-password'], 'base64').toString();
    const sentinelIp = cluster.json(['get', 'pod', 'session-database-sentinel-1', '-n', ns]).status.podIP as string;
    const masterHost = () => redisCliInNode(['-h', sentinelIp, '-p', '26379', '--user', 'monitor', 'sentinel', 'get-master-addr-by-name', 'mymaster'], monitor).stdout.split('\n')[0].trim();
    const before = masterHost();
    const masterPod = before.split('.')[0];

    const deleted = Date.now();
    cluster.kubectlOk(['delete', 'pod', masterPod, '-n', ns, '--wait=false']);
    const after = await eventually('a new master named by the Sentinels', () => {
      const host = masterHost();
      return host && host !== before ? host : undefined;
    }, 90_000);
    process.stderr.write(`delete pod -> new master named: ${((Date.now() - deleted) / 1000).toFixed(2)} (${before} -> ${after})\n`);

    await eventually('the StatefulSet whole again', () => {
      const sts = cluster.json(['get', 'statefulset', 'session-database-redis', '-n', ns]);
      return sts.status.readyReplicas === 3 || undefined;
    }, 180_000);
    const pods = cluster.json(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=redis']).items as { status: { podIP: string } }[];
    const roles = pods.map((p) => redisCliInNode(['-h', p.status.podIP, '--user', 'monitor', 'role'], monitor).stdout.split('\n')[0]);
    expect(roles.filter((r) => r === 'master')).toHaveLength(1);
  }, 300_000);
});
