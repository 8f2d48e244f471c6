import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clusterDir, FAKE_NODES, kubeconfigPath } from '../../scripts/cluster/cluster';
import { LOOPBACK } from '../../scripts/cluster/network';
import { CRD_SOURCES, KUBERNETES } from '../../scripts/cluster/versions';
import { PROJECT_ROOT } from '../../src/render/assets';
import { IN_CI } from '../support/binaries';
import { useCluster, withNodesLock } from '../support/cluster';

/**
 * The local cluster itself (scripts/cluster): the version it reports, its fake nodes and zones, loopback
 * only, the pinned CRDs, and `npm run cluster -- up/env` behaving as documented.
 */
const cluster = useCluster();
jest.setTimeout(600_000);

function localOnly(title: string, body: () => void | Promise<void>): void {
  test(title, async () => {
    if (!cluster.local) {
      const message = `"${title}" checks the local cluster; it does not run against SESSION_DATABASE_KUBECONFIG`;
      if (IN_CI) throw new Error(message);
      console.warn(`\n!!! SKIPPED — ${message}\n`);
      return;
    }
    await body();
  });
}

localOnly(`the API server and kubectl report Kubernetes ${KUBERNETES.version}`, () => {
  const version = JSON.parse(cluster.kubectlOk(['version', '-o', 'json']));
  expect(version.serverVersion).toMatchObject({ gitVersion: KUBERNETES.version, major: '1', minor: KUBERNETES.version.split('.')[1], gitTreeState: 'clean' });
  expect(version.clientVersion.gitVersion).toBe(KUBERNETES.version);
});

localOnly(`Helm sees Kubernetes ${KUBERNETES.version} (.Capabilities.KubeVersion)`, () => {
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-capabilities-'));
  try {
    fs.mkdirSync(path.join(chart, 'templates'));
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: capabilities\nversion: 0.0.0\n');
    fs.writeFileSync(path.join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: capabilities\ndata:\n  version: {{ .Capabilities.KubeVersion.Version | quote }}\n');
    for (const major of [3, 4] as const) {
      const r = cluster.helm(major, ['install', 'capabilities', chart, '-n', 'default', '--dry-run=server']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`version: "${KUBERNETES.version}"`);
    }
  } finally {
    fs.rmSync(chart, { recursive: true, force: true });
  }
});

// Under the nodes lock: the scheduling tests relabel, cordon and taint the nodes while they hold it.
localOnly('three fake nodes are Ready, one in each of three zones', () => withNodesLock(() => {
  const nodes = (cluster.json(['get', 'nodes', '-l', 'type=kwok']).items as any[]).map((n) => ({
    name: n.metadata.name,
    hostname: n.metadata.labels['kubernetes.io/hostname'],
    zone: n.metadata.labels['topology.kubernetes.io/zone'],
    ready: n.status.conditions.find((c: any) => c.type === 'Ready')?.status,
    taints: n.spec.taints ?? [],
  }));
  expect(nodes).toEqual(FAKE_NODES.map((n) => ({ name: n.name, hostname: n.name, zone: n.zone, ready: 'True', taints: [] })));
}));

localOnly('every port the cluster listens on is on the loopback address', () => {
  const state = JSON.parse(fs.readFileSync(path.join(clusterDir(), 'state.json'), 'utf8'));
  const pids = new Set(Object.values(state.pids as Record<string, number>).map(String));
  const listening = spawnSync('ss', ['-H', '-ltnp'], { encoding: 'utf8' }).stdout.split('\n')
    .filter((line) => [...line.matchAll(/pid=(\d+)/g)].some((m) => pids.has(m[1])))
    .map((line) => line.trim().split(/\s+/)[3]);
  expect(listening.length).toBeGreaterThanOrEqual(5);
  expect(listening.filter((address) => !address.startsWith(`${LOOPBACK}:`))).toEqual([]);
});

localOnly('the CRDs of the pinned operator versions are installed and established', () => {
  const crds = cluster.json(['get', 'customresourcedefinitions']).items as any[];
  for (const source of CRD_SOURCES) {
    for (const name of source.crds) {
      const crd = crds.find((c) => c.metadata.name === name);
      expect({ name, established: crd?.status.conditions.find((c: any) => c.type === 'Established')?.status }).toEqual({ name, established: 'True' });
    }
  }
});

localOnly('`npm run cluster -- up` while it is up changes nothing, and `env` prints the fixed kubeconfig path', () => {
  const before = fs.readFileSync(path.join(clusterDir(), 'state.json'), 'utf8');
  const npm = (arg: string) => spawnSync('npm', ['run', '--silent', 'cluster', '--', arg], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 120_000 });
  const up = npm('up');
  expect(up.status).toBe(0);
  expect(up.stderr).toContain('already up');
  expect(fs.readFileSync(path.join(clusterDir(), 'state.json'), 'utf8')).toBe(before);
  const env = npm('env');
  expect(env.stdout.trim()).toBe(`export KUBECONFIG=${kubeconfigPath()}`);
});
