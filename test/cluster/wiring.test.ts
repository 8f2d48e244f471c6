import { eventually, expectHelmOk, installChart, TestCluster, useCluster } from '../support/cluster';
import { RELEASE, renderedObjects } from '../support/helm';

/**
 * Issue 12, proof 5: the HPA, PDBs, NetworkPolicies, Services and ServiceAccounts of production are accepted
 * and point at the pods that exist: selectors match the created pods, Services get endpoints on the named
 * ports, the PDBs report the expected counts, the HPA finds its StatefulSet.
 */
const cluster = useCluster();
jest.setTimeout(600_000);

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics (an empty selector selects everything). */
function selects(selector: Selector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return e.values!.includes(labels[e.key]);
      case 'NotIn': return !(e.key in labels) || !e.values!.includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: throw new Error(`unknown operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

let ns = '';
let clientNs = '';
let pods: any[] = [];
const podsIn = (c: TestCluster, namespace: string) => c.json(['get', 'pods', '-n', namespace]).items as any[];

beforeAll(async () => {
  ns = cluster.namespace('wiring');
  // A client namespace and pod labelled as the README tells applications to (production: clients in
  // namespaces labelled session-database/clients=true).
  clientNs = cluster.namespace('wiring-client', { 'session-database/clients': 'true' });
  cluster.kubectlOk(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: clientNs, labels: { 'session-database/client': 'true' } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'example/app:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  }));
  expectHelmOk(cluster, await installChart(cluster, { major: 4, namespace: ns, valuesFile: 'values/production.yaml' }), ns);
  // The maintenance pods exist only while a Job runs: run each CronJob once.
  const cronJobs = (cluster.json(['get', 'cronjobs', '-n', ns]).items as any[]).map((c) => c.metadata.name);
  for (const name of cronJobs) cluster.kubectlOk(['create', 'job', `${name}-once`, `--from=cronjob/${name}`, '-n', ns]);
  await eventually('the Jobs completed', () => (cluster.json(['get', 'jobs', '-n', ns]).items as any[]).every((j) => j.status?.succeeded >= 1), 120_000);
  // The health check Pod exists only while `helm test` runs: create the release's test hook Pods as it would
  // (the local cluster's fake pods never complete, so `helm test` itself would wait for nothing).
  const testPods = renderedObjects(cluster.helm(4, ['get', 'hooks', RELEASE, '-n', ns])).filter((o) => o.kind === 'Pod' && o.metadata.annotations?.['helm.sh/hook'] === 'test');
  expect(testPods.length).toBeGreaterThan(0);
  for (const pod of testPods) cluster.kubectlOk(['create', '-n', ns, '-f', '-'], JSON.stringify(pod));
  pods = podsIn(cluster, ns);
}, 600_000);

test('every Service selects running pods and has endpoints on each of its ports', async () => {
  const services = cluster.json(['get', 'services', '-n', ns]).items as any[];
  expect(services.length).toBeGreaterThan(0);
  for (const svc of services) {
    const selected = pods.filter((p) => p.status.phase === 'Running' && selects({ matchLabels: svc.spec.selector }, p.metadata.labels));
    expect({ service: svc.metadata.name, selected: selected.length > 0 }).toEqual({ service: svc.metadata.name, selected: true });
    await eventually(`endpoints of ${svc.metadata.name}`, () => {
      const slices = cluster.json(['get', 'endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${svc.metadata.name}`]).items as any[];
      const addresses = slices.flatMap((s) => (s.endpoints ?? []).flatMap((e: any) => e.addresses));
      const ports = new Set(slices.flatMap((s) => (s.ports ?? []).filter((p: any) => p.port).map((p: any) => p.name)));
      return addresses.length === selected.length && svc.spec.ports.every((p: any) => ports.has(p.name ?? ''));
    });
  }
});

test('every ServiceAccount of the chart is used by its pods, and every pod runs as an existing ServiceAccount', () => {
  const accounts = (cluster.json(['get', 'serviceaccounts', '-n', ns]).items as any[]).map((s) => s.metadata.name).filter((n) => n !== 'default');
  const used = new Set(pods.map((p) => p.spec.serviceAccountName));
  expect(accounts.filter((a) => !used.has(a))).toEqual([]);
  expect([...used].filter((u) => !accounts.includes(u))).toEqual([]);
});

test('every NetworkPolicy selects pods of the release, and its in-namespace peers and client peer select existing pods', () => {
  const policies = cluster.json(['get', 'networkpolicies', '-n', ns]).items as any[];
  const namespaces = new Map((cluster.json(['get', 'namespaces']).items as any[]).map((n) => [n.metadata.name, n.metadata.labels]));
  const clientPods = podsIn(cluster, clientNs);
  const unmatched: string[] = [];
  for (const policy of policies) {
    const name = policy.metadata.name;
    if (!pods.some((p) => selects(policy.spec.podSelector, p.metadata.labels))) unmatched.push(`${name}: spec.podSelector`);
    const peers = [...(policy.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(policy.spec.egress ?? []).flatMap((r: any) => r.to ?? [])];
    for (const peer of peers) {
      if (peer.podSelector && !peer.namespaceSelector) {
        if (!pods.some((p) => selects(peer.podSelector, p.metadata.labels))) unmatched.push(`${name}: peer ${JSON.stringify(peer)}`);
      } else if (peer.namespaceSelector?.matchLabels?.['session-database/clients']) {
        const matches = clientPods.filter((p) => selects(peer.namespaceSelector, namespaces.get(clientNs)) && selects(peer.podSelector ?? {}, p.metadata.labels));
        if (matches.length !== 1) unmatched.push(`${name}: client peer ${JSON.stringify(peer)}`);
      }
    }
  }
  expect(unmatched).toEqual([]);
});

test('the PodDisruptionBudgets count the 3 Redis and 3 Sentinel pods and allow one disruption each', async () => {
  for (const name of ['session-database-redis', 'session-database-sentinel']) {
    const status = await eventually(`status of PDB ${name}`, () => {
      const pdb = cluster.json(['get', 'poddisruptionbudget', name, '-n', ns]);
      return pdb.status?.observedGeneration === pdb.metadata.generation && pdb.status.expectedPods === 3 ? pdb.status : undefined;
    });
    expect({ name, expectedPods: status.expectedPods, currentHealthy: status.currentHealthy, desiredHealthy: status.desiredHealthy, disruptionsAllowed: status.disruptionsAllowed })
      .toEqual({ name, expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
  }
});

test('the HPA finds its StatefulSet and reads its scale (its CPU metric needs a metrics server)', async () => {
  const hpa = await eventually('the HPA controller saw the target', () => {
    const h = cluster.json(['get', 'horizontalpodautoscaler', 'session-database-redis', '-n', ns]);
    return h.status?.conditions?.some((c: any) => c.type === 'AbleToScale') ? h : undefined;
  }, 90_000);
  const sts = cluster.json(['get', 'statefulset', hpa.spec.scaleTargetRef.name, '-n', ns]);
  expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'session-database-redis' });
  expect(hpa.status.conditions.find((c: any) => c.type === 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale' });
  expect(hpa.status.currentReplicas).toBe(sts.status.replicas);
  expect(pods.filter((p) => selects(sts.spec.selector, p.metadata.labels))).toHaveLength(3);
});
