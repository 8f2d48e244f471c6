import { IN_CI, describeWithBinaries } from '../support/binaries';
import { eventually } from '../support/cluster';
import { NODE_NAME } from '../../scripts/cluster/network';
import { ON_REAL_NODE, installProductionOnNode, redisCliInNode, useRealNode } from './support';

/** What the node needs on this machine besides what it builds (.ci/run installs them). */
const NODE_PROGRAMS = ['ip', 'nsenter', 'gcc', 'nft', 'curl', 'redis-cli', 'apt-get', 'dpkg-deb', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local'];

if (process.getuid?.() !== 0 && IN_CI) throw new Error('test/node needs root (network namespaces, cgroups, mounts)');

describeWithBinaries(NODE_PROGRAMS, 'a real node joined to the local cluster', () => {
  const { cluster, node } = useRealNode();

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
    const ns = cluster.namespace('node-prod', { 'session-database/clients': 'true' });
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
});
