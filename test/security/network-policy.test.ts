import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/render/assets';
import { HELM_MAJORS } from '../../scripts/helm';
import { Cluster, Connection, Endpoint, NetworkPolicy, Pod, inCidr, matchesSelector } from '../support/network-policy-evaluator';
import { helmTemplate, renderedObjects } from '../support/helm';
import { K8sObject, renderValues } from '../support/manifests';
import { Rendering, allPodSpecs, allRenderingsWithChartDefaults } from './renderings';

const renderings = allRenderingsWithChartDefaults();

const policiesOf = (objects: readonly K8sObject[]) => objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];

/** The chart's pods as the evaluator sees them: namespace, template labels, container ports. */
function podsOf(objects: readonly K8sObject[]): { name: string; component: string; pod: Pod }[] {
  return allPodSpecs(objects).map((p) => ({
    name: `${p.owner.kind}/${p.owner.metadata.name}`,
    component: p.metadata.labels?.['app.kubernetes.io/component'],
    pod: {
      namespace: p.owner.metadata.namespace ?? 'default',
      labels: p.metadata.labels ?? {},
      ports: [...(p.spec.initContainers ?? []), ...p.spec.containers].flatMap((c: any) => c.ports ?? []),
    },
  }));
}

function ownPod(objects: readonly K8sObject[], component: string): Endpoint {
  const found = podsOf(objects).find((p) => p.component === component);
  if (!found) throw new Error(`no ${component} pod template`);
  return { pod: found.pod };
}

describe('NetworkPolicies select every pod', () => {
  test.each(renderings.map((r) => [r.label, r] as const))('%s isolates every pod template for ingress and egress', (_, r) => {
    const cluster = new Cluster(policiesOf(r.objects));
    const pods = podsOf(r.objects);
    expect(pods.length).toBeGreaterThan(0);
    const open = pods.flatMap((p) =>
      (['Ingress', 'Egress'] as const).filter((t) => cluster.selecting(p.pod, t).length === 0).map((t) => `${p.name}: not isolated for ${t}`),
    );
    expect(open).toEqual([]);
  });

  test('networkPolicy.enabled false renders no NetworkPolicy', () => {
    const objects = renderValues({ auth: { existingSecret: 's' }, networkPolicy: { enabled: false } });
    expect(policiesOf(objects)).toEqual([]);
  });
});

// ---- the flow table ----

const pod = (namespace: string, labels: Record<string, string> = {}): Endpoint => ({ pod: { namespace, labels } });
const internet: Endpoint = { ip: '203.0.113.7' };
const publicDns: Endpoint = { ip: '8.8.8.8' };
const client = { 'session-database/client': 'true' };
const kubeDns = pod('kube-system', { 'k8s-app': 'kube-dns' });

type Who = Endpoint | 'redis' | 'sentinel' | 'haproxy' | 'maintenance' | 'health-check';
type FlowCase = [description: string, from: Who, to: Who, port: number, protocol: 'TCP' | 'UDP', allowed: boolean];

/** Namespaces of the test cluster and their labels. */
const NAMESPACES = {
  shop: { 'session-database/clients': 'true' },
  other: {},
  monitoring: {},
  'kube-system': {},
};

const productionFlows: FlowCase[] = [
  ['a labelled client in a labelled namespace reaches Redis', pod('shop', client), 'redis', 6379, 'TCP', true],
  ['a labelled client in a labelled namespace reaches Sentinel', pod('shop', client), 'sentinel', 26379, 'TCP', true],
  ['an unlabelled pod cannot reach Redis', pod('shop'), 'redis', 6379, 'TCP', false],
  ['an unlabelled pod cannot reach Sentinel', pod('shop'), 'sentinel', 26379, 'TCP', false],
  ['a client cannot reach Redis on 16379', pod('shop', client), 'redis', 16379, 'TCP', false],
  ['a client cannot scrape the exporter', pod('shop', client), 'redis', 9121, 'TCP', false],
  ['a labelled client in a namespace without the selector label cannot reach Redis', pod('other', client), 'redis', 6379, 'TCP', false],
  ['a labelled client in the release namespace (not labelled) cannot reach Redis', pod('session-store', client), 'redis', 6379, 'TCP', false],
  ['a pod that fakes only the component label cannot reach Redis', pod('session-store', { 'app.kubernetes.io/component': 'sentinel' }), 'redis', 6379, 'TCP', false],
  ['a replica replicates from the master', 'redis', 'redis', 6379, 'TCP', true],
  ['Redis asks the sentinels', 'redis', 'sentinel', 26379, 'TCP', true],
  ['a sentinel watches Redis', 'sentinel', 'redis', 6379, 'TCP', true],
  ['sentinels talk to each other', 'sentinel', 'sentinel', 26379, 'TCP', true],
  ['a sentinel cannot reach Redis on another port', 'sentinel', 'redis', 6380, 'TCP', false],
  ['Prometheus scrapes the Redis exporter', pod('monitoring', { 'app.kubernetes.io/name': 'prometheus' }), 'redis', 9121, 'TCP', true],
  ['Prometheus scrapes the Sentinel exporter', pod('monitoring'), 'sentinel', 9121, 'TCP', true],
  ['Prometheus cannot use Redis itself', pod('monitoring'), 'redis', 6379, 'TCP', false],
  ['a pod of another namespace cannot scrape the exporter', pod('other'), 'redis', 9121, 'TCP', false],
  ['the maintenance jobs reach Redis', 'maintenance', 'redis', 6379, 'TCP', true],
  ['the maintenance jobs ask the sentinels', 'maintenance', 'sentinel', 26379, 'TCP', true],
  ['the maintenance jobs cannot reach the internet', 'maintenance', internet, 443, 'TCP', false],
  ['Redis resolves names over UDP', 'redis', kubeDns, 53, 'UDP', true],
  ['Redis resolves names over TCP', 'redis', kubeDns, 53, 'TCP', true],
  ['a sentinel resolves names', 'sentinel', kubeDns, 53, 'UDP', true],
  ['a maintenance job resolves names', 'maintenance', kubeDns, 53, 'UDP', true],
  ['Redis cannot use a public DNS server', 'redis', publicDns, 53, 'UDP', false],
  ['Redis cannot reach other kube-system pods on 53', 'redis', pod('kube-system', { app: 'other' }), 53, 'UDP', false],
  ['Redis cannot reach kube-dns on another port', 'redis', kubeDns, 80, 'TCP', false],
  ['Redis cannot reach the internet', 'redis', internet, 443, 'TCP', false],
  ['a sentinel cannot reach the internet', 'sentinel', internet, 80, 'TCP', false],
  ['Redis cannot open connections to clients', 'redis', pod('shop', client), 8080, 'TCP', false],
  ['the internet cannot reach Redis', internet, 'redis', 6379, 'TCP', false],
  // The helm test Pod runs in the release namespace, which the production client selector leaves out: its own flows.
  ['the health check (helm test) reaches Redis', 'health-check', 'redis', 6379, 'TCP', true],
  ['the health check asks the sentinels', 'health-check', 'sentinel', 26379, 'TCP', true],
  ['the health check goes through the master endpoint', 'health-check', 'haproxy', 6379, 'TCP', true],
  ['the health check cannot scrape the exporter', 'health-check', 'redis', 9121, 'TCP', false],
  ['the health check cannot reach the master endpoint\'s metrics', 'health-check', 'haproxy', 8404, 'TCP', false],
  ['the health check resolves names', 'health-check', kubeDns, 53, 'UDP', true],
  ['the health check cannot reach the internet', 'health-check', internet, 443, 'TCP', false],
  ['nothing opens connections to the health check', 'redis', 'health-check', 6379, 'TCP', false],
];

const devFlows: FlowCase[] = [
  ['a labelled client in the release namespace reaches Redis', pod('session-dev', client), 'redis', 6379, 'TCP', true],
  ['a labelled client in another namespace cannot reach Redis (podSelector only = same namespace)', pod('shop', client), 'redis', 6379, 'TCP', false],
  ['an unlabelled pod of the release namespace cannot reach Redis', pod('session-dev'), 'redis', 6379, 'TCP', false],
  ['a standalone Redis has no replication flow', 'redis', 'redis', 6379, 'TCP', false],
  ['a standalone Redis cannot reach port 26379', 'redis', pod('session-dev', client), 26379, 'TCP', false],
  ['the maintenance jobs reach Redis', 'maintenance', 'redis', 6379, 'TCP', true],
  ['Prometheus scrapes the Redis exporter', pod('monitoring'), 'redis', 9121, 'TCP', true],
  ['Redis resolves names', 'redis', kubeDns, 53, 'UDP', true],
  ['Redis cannot reach the internet', 'redis', internet, 443, 'TCP', false],
  ['the health check (helm test) reaches Redis', 'health-check', 'redis', 6379, 'TCP', true],
  ['the health check has no Sentinel to ask in standalone mode', 'health-check', pod('session-dev', client), 26379, 'TCP', false],
];

function runFlows(r: Rendering, flows: FlowCase[]): string[] {
  const cluster = new Cluster(policiesOf(r.objects), NAMESPACES);
  const resolve = (w: Who) => (typeof w === 'string' ? ownPod(r.objects, w) : w);
  return flows.flatMap(([description, from, to, port, protocol, expected]) => {
    const verdict = cluster.evaluate({ from: resolve(from), to: resolve(to), port, protocol });
    return verdict.allowed === expected
      ? []
      : [`${description}: expected ${expected ? 'allowed' : 'denied'}, got ${verdict.allowed ? 'allowed' : 'denied'} (egress ${verdict.egress.reason}; ingress ${verdict.ingress.reason})`];
  });
}

describe('the flow table against the synthesized policies', () => {
  const byEnv = (env: string) => renderings.filter((r) => r.env === env).map((r) => [r.label, r] as const);

  test.each(byEnv('production'))('%s allows and denies exactly the production flows', (_, r) => {
    expect(runFlows(r, productionFlows)).toEqual([]);
  });

  test.each(byEnv('dev'))('%s allows and denies exactly the dev flows', (_, r) => {
    expect(runFlows(r, devFlows)).toEqual([]);
  });

  test('the table has allowed and denied flows and would catch an allow-all policy', () => {
    expect(productionFlows.filter((f) => f[5]).length).toBeGreaterThan(5);
    expect(productionFlows.filter((f) => !f[5]).length).toBeGreaterThan(5);
    const r = renderings.find((x) => x.label === 'dist/production')!;
    const allowAll = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all', namespace: 'session-store' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
    } as K8sObject;
    const failures = runFlows({ ...r, objects: [...r.objects, allowAll] }, productionFlows);
    // Every denied flow touches a pod of the release, so an allow-all policy breaks each of them.
    expect(failures).toHaveLength(productionFlows.filter((f) => !f[5]).length);
  });
});

test('the production policies read as one line per rule (snapshot)', () => {
  const r = renderings.find((x) => x.label === 'dist/production')!;
  const selector = (sel: any) => JSON.stringify(sel?.matchLabels ?? sel ?? {});
  const peer = (p: any) =>
    p.ipBlock ? `ip ${p.ipBlock.cidr}` : [p.namespaceSelector && `ns ${selector(p.namespaceSelector)}`, p.podSelector && `pods ${selector(p.podSelector)}`].filter(Boolean).join(' ');
  const ports = (ps: any[] | undefined) => (ps ?? []).map((p) => `${p.protocol}/${p.port}`).join(',') || 'all ports';
  const summary = policiesOf(r.objects).map((p) => [
    `${p.metadata.name} on ${selector(p.spec.podSelector)} [${p.spec.policyTypes?.join(',')}]`,
    ...(p.spec.ingress ?? []).map((rule) => `  from ${(rule.from ?? []).map(peer).join(' | ')} to ${ports(rule.ports)}`),
    ...(p.spec.egress ?? []).map((rule) => `  to ${(rule.to ?? []).map(peer).join(' | ')} on ${ports(rule.ports)}`),
  ].join('\n'));
  expect(summary.join('\n')).toMatchSnapshot();
});

describe('client selectors from the configuration', () => {
  const base = { auth: { existingSecret: 's' }, namespace: { name: 'sessions' } };
  const variants: [string, object, [Endpoint, boolean][]][] = [
    ['neither: pods labelled session-database/client=true of the release namespace', {}, [
      [pod('sessions', client), true], [pod('sessions'), false], [pod('shop', client), false],
    ]],
    ['a podSelector replaces the default label (Helm merges no default into it)', { podSelector: { app: 'web' } }, [
      [pod('sessions', { app: 'web' }), true], [pod('sessions', client), false],
    ]],
    ['podSelector only: labelled pods of the release namespace', { podSelector: client }, [
      [pod('sessions', client), true], [pod('shop', client), false], [pod('sessions'), false],
    ]],
    ['namespaceSelector only: every pod of the labelled namespaces', { namespaceSelector: { team: 'shop' } }, [
      [pod('shop'), true], [pod('shop', client), true], [pod('other', client), false], [pod('sessions', client), false],
    ]],
    ['both: labelled pods of labelled namespaces', { podSelector: client, namespaceSelector: { team: 'shop' } }, [
      [pod('shop', client), true], [pod('shop'), false], [pod('other', client), false],
    ]],
  ];

  const renderWith = (clients: object) => {
    const values = { ...base, networkPolicy: { clients } };
    return [
      ['synth', renderValues(values)] as const,
      ...HELM_MAJORS.map((m) => [`helm${m}`, renderedObjects(helmTemplate(m, values))] as const),
    ];
  };

  test.each(variants)('%s', (_, clients, cases) => {
    for (const [label, objects] of renderWith(clients)) {
      const cluster = new Cluster(policiesOf(objects), { shop: { team: 'shop' }, other: {} });
      const redis = ownPod(objects, 'redis');
      const got = cases.map(([from]) => cluster.allows({ from, to: redis, port: 6379 }));
      expect({ label, got }).toEqual({ label, got: cases.map(([, allowed]) => allowed) });
    }
  });

  test('monitoring and DNS selectors follow the configuration', () => {
    const values = {
      ...base,
      networkPolicy: {
        clients: { podSelector: client },
        monitoring: { namespace: 'observability', podSelector: { 'app.kubernetes.io/name': 'prometheus' } },
        dns: { namespace: 'dns', podSelector: { app: 'coredns' } },
      },
    };
    for (const objects of [renderValues(values), ...HELM_MAJORS.map((m) => renderedObjects(helmTemplate(m, values)))]) {
      const cluster = new Cluster(policiesOf(objects));
      const redis = ownPod(objects, 'redis');
      expect(cluster.allows({ from: pod('observability', { 'app.kubernetes.io/name': 'prometheus' }), to: redis, port: 9121 })).toBe(true);
      expect(cluster.allows({ from: pod('observability', { 'app.kubernetes.io/name': 'grafana' }), to: redis, port: 9121 })).toBe(false);
      expect(cluster.allows({ from: pod('monitoring'), to: redis, port: 9121 })).toBe(false);
      expect(cluster.allows({ from: redis, to: pod('dns', { app: 'coredns' }), port: 53, protocol: 'UDP' })).toBe(true);
      expect(cluster.allows({ from: redis, to: kubeDns, port: 53, protocol: 'UDP' })).toBe(false);
    }
  });
});

describe('the standalone monitoring stack', () => {
  const standalone = (extra: object) => ({
    auth: { existingSecret: 's' },
    namespace: { name: 'sessions' },
    monitoring: { mode: 'standalone', standalone: { grafana: { adminSecret: 'grafana-admin' }, ...extra } },
  });
  const full = standalone({
    ingress: { enabled: true, host: 'grafana.example.com', tlsSecret: 'grafana-tls' },
    alertmanager: { configSecret: 'am-config' },
    prometheus: { kubeStateMetricsTarget: 'kube-state-metrics.kube-system.svc:8080' },
  });
  const rendersOf = (values: object) => [
    ['synth', renderValues(values)] as const,
    ...HELM_MAJORS.map((m) => [`helm${m}`, renderedObjects(helmTemplate(m, values))] as const),
  ];
  const nginx = pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });
  const ksm = pod('kube-system', { 'app.kubernetes.io/name': 'kube-state-metrics' });
  const receiver: Endpoint = { ip: '203.0.113.7' };
  const internal: Endpoint = { ip: '10.1.2.3' };

  type Row = [string, Who | 'prometheus' | 'alertmanager' | 'grafana', Who | 'prometheus' | 'alertmanager' | 'grafana', number, boolean];
  const check = (objects: readonly K8sObject[], rows: Row[]) => {
    const cluster = new Cluster(policiesOf(objects), { 'ingress-nginx': {}, 'kube-system': {} });
    const resolve = (w: Row[1]) => (typeof w === 'string' ? ownPod(objects, w) : w);
    return rows.map(([d, from, to, port]) => [d, cluster.allows({ from: resolve(from), to: resolve(to), port })]);
  };
  const expected = (rows: Row[]) => rows.map(([d, , , , allowed]) => [d, allowed]);

  test('every pod of the stack is isolated and exactly its flows are allowed', () => {
    const rows: Row[] = [
      ['Prometheus scrapes the Redis exporter', 'prometheus', 'redis', 9121, true],
      ['Prometheus scrapes the Sentinel exporter', 'prometheus', 'sentinel', 9121, true],
      ['Prometheus cannot use Redis', 'prometheus', 'redis', 6379, false],
      ['Prometheus sends alerts to Alertmanager', 'prometheus', 'alertmanager', 9093, true],
      ['Prometheus scrapes kube-state-metrics', 'prometheus', ksm, 8080, true],
      ['Prometheus cannot reach the internet', 'prometheus', receiver, 443, false],
      ['Grafana queries Prometheus', 'grafana', 'prometheus', 9090, true],
      ['Grafana reads Alertmanager', 'grafana', 'alertmanager', 9093, true],
      ['Grafana cannot use Redis', 'grafana', 'redis', 6379, false],
      ['Grafana cannot reach the internet', 'grafana', receiver, 443, false],
      ['the ingress controller serves Grafana', nginx, 'grafana', 3000, true],
      ['the ingress controller cannot reach Prometheus', nginx, 'prometheus', 9090, false],
      ['another namespace cannot reach Grafana', pod('other'), 'grafana', 3000, false],
      ['a client cannot reach Prometheus', pod('sessions', client), 'prometheus', 9090, false],
      ['Alertmanager notifies an outside receiver over HTTPS', 'alertmanager', receiver, 443, true],
      ['Alertmanager cannot reach an outside receiver over HTTP', 'alertmanager', receiver, 80, false],
      ['Alertmanager cannot reach cluster-internal addresses', 'alertmanager', internal, 443, false],
      ['Alertmanager cannot reach Redis', 'alertmanager', 'redis', 6379, false],
    ];
    for (const [label, objects] of rendersOf(full)) {
      const cluster = new Cluster(policiesOf(objects));
      const open = podsOf(objects).filter((p) => cluster.selecting(p.pod, 'Ingress').length === 0 || cluster.selecting(p.pod, 'Egress').length === 0);
      expect({ label, open: open.map((p) => p.name) }).toEqual({ label, open: [] });
      expect({ label, flows: check(objects, rows) }).toEqual({ label, flows: expected(rows) });
    }
  });

  test('without an Ingress, a custom Alertmanager config or kube-state-metrics those flows stay closed', () => {
    const rows: Row[] = [
      ['the ingress controller cannot reach Grafana', nginx, 'grafana', 3000, false],
      ['Alertmanager cannot reach the internet', 'alertmanager', receiver, 443, false],
      ['Prometheus cannot reach kube-state-metrics', 'prometheus', ksm, 8080, false],
      ['Prometheus still scrapes Redis', 'prometheus', 'redis', 9121, true],
    ];
    for (const [label, objects] of rendersOf(standalone({}))) {
      expect({ label, flows: check(objects, rows) }).toEqual({ label, flows: expected(rows) });
    }
  });
});

describe('the backup upload to S3 (maintenance.backup.s3)', () => {
  const base = { auth: { existingSecret: 's' }, namespace: { name: 'sessions' } };
  const renders = (values: object) => [
    ['synth', renderValues(values)] as const,
    ...HELM_MAJORS.map((m) => [`helm${m}`, renderedObjects(helmTemplate(m, values))] as const),
  ];
  const s3 = (egress: object) => ({ ...base, maintenance: { backup: { s3: { enabled: true, bucket: 'session-backups', endpoint: 'https://s3.example.com', egress } } } });

  test('with a CIDR the backup pods reach the store on its port only, and nothing else outside', () => {
    for (const [label, objects] of renders(s3({ cidr: '10.20.0.0/16', port: 9000 }))) {
      const cluster = new Cluster(policiesOf(objects));
      const from = ownPod(objects, 'maintenance');
      const got = {
        store: cluster.allows({ from, to: { ip: '10.20.3.4' }, port: 9000 }),
        storeOtherPort: cluster.allows({ from, to: { ip: '10.20.3.4' }, port: 443 }),
        elsewhere: cluster.allows({ from, to: { ip: '10.21.0.1' }, port: 9000 }),
        redisOut: cluster.allows({ from: ownPod(objects, 'redis'), to: { ip: '10.20.3.4' }, port: 9000 }),
      };
      expect({ label, got }).toEqual({ label, got: { store: true, storeOtherPort: false, elsewhere: false, redisOut: false } });
    }
  });

  test('without a CIDR they reach public addresses on 443, never the private ranges; with the upload off, nothing', () => {
    for (const [label, objects] of renders(s3({}))) {
      const cluster = new Cluster(policiesOf(objects));
      const from = ownPod(objects, 'maintenance');
      const got = { aws: cluster.allows({ from, to: { ip: '52.216.1.1' }, port: 443 }), internal: cluster.allows({ from, to: { ip: '10.0.0.5' }, port: 443 }) };
      expect({ label, got }).toEqual({ label, got: { aws: true, internal: false } });
    }
    for (const [label, objects] of renders(base)) {
      const cluster = new Cluster(policiesOf(objects));
      expect({ label, aws: cluster.allows({ from: ownPod(objects, 'maintenance'), to: { ip: '52.216.1.1' }, port: 443 }) }).toEqual({ label, aws: false });
    }
  });
});

describe('the NetworkPolicy evaluator', () => {
  const ns = 'app';
  const web = pod(ns, { app: 'web' });
  const db: Endpoint = { pod: { namespace: ns, labels: { app: 'db' }, ports: [{ name: 'sql', containerPort: 5432 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] } };
  const policy = (name: string, spec: NetworkPolicy['spec'], namespace = ns): NetworkPolicy => ({ metadata: { name, namespace }, spec });
  const conn = (from: Endpoint, to: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP'): Connection => ({ from, to, port, protocol });

  test('allows everything when no policy selects the pods', () => {
    expect(new Cluster([]).allows(conn(web, db, 1))).toBe(true);
    expect(new Cluster([policy('other', { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress', 'Egress'] })]).allows(conn(web, db, 1))).toBe(true);
  });

  test('a policy without policyTypes and without egress isolates ingress only', () => {
    const c = new Cluster([policy('p', { podSelector: {} })]);
    expect(c.allows(conn(web, internet, 443))).toBe(true);
    expect(c.allows(conn(internet, web, 80))).toBe(false);
  });

  test('a policy with an egress section and no policyTypes isolates both directions', () => {
    const c = new Cluster([policy('p', { podSelector: {}, egress: [] })]);
    expect(c.allows(conn(web, internet, 443))).toBe(false);
    expect(c.allows(conn(internet, web, 80))).toBe(false);
  });

  test('needs egress at the source and ingress at the destination', () => {
    const egressOnly = policy('egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] });
    const denyDbIngress = policy('deny-db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    expect(new Cluster([egressOnly]).allows(conn(web, db, 5432))).toBe(true);
    const both = new Cluster([egressOnly, denyDbIngress]).evaluate(conn(web, db, 5432));
    expect([both.egress.allowed, both.ingress.allowed, both.allowed]).toEqual([true, false, false]);
    const denyWebEgress = policy('deny-web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    const allowDb = policy('allow-db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{}] });
    const other = new Cluster([denyWebEgress, allowDb]).evaluate(conn(web, db, 5432));
    expect([other.egress.allowed, other.ingress.allowed, other.allowed]).toEqual([false, true, false]);
  });

  test('is the union of every policy that selects a pod', () => {
    const p1 = policy('p1', { podSelector: {}, ingress: [{ ports: [{ port: 1 }] }] });
    const p2 = policy('p2', { podSelector: {}, ingress: [{ ports: [{ port: 2 }] }] });
    const c = new Cluster([p1, p2]);
    expect([1, 2, 3].map((p) => c.allows(conn(internet, db, p)))).toEqual([true, true, false]);
    expect(c.evaluate(conn(internet, db, 2)).ingress.allowedBy).toEqual(['p2']);
  });

  test('a podSelector peer matches only pods of the policy namespace', () => {
    const c = new Cluster([policy('p', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })]);
    expect(c.allows(conn(web, db, 5432))).toBe(true);
    expect(c.allows(conn(pod('elsewhere', { app: 'web' }), db, 5432))).toBe(false);
    expect(c.allows(conn(internet, db, 5432))).toBe(false);
  });

  test('a namespaceSelector peer matches every pod of the selected namespaces; with a podSelector only those pods', () => {
    const c = new Cluster(
      [
        policy('ns-only', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ port: 1 }] }] }),
        policy('ns-and-pod', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 2 }] }] }),
        policy('by-name', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }], ports: [{ port: 3 }] }] }),
      ],
      { a: { team: 'a' }, b: {} },
    );
    expect(c.allows(conn(pod('a'), db, 1))).toBe(true);
    expect(c.allows(conn(pod('b'), db, 1))).toBe(false);
    expect(c.allows(conn(pod('a', { app: 'web' }), db, 2))).toBe(true);
    expect(c.allows(conn(pod('a'), db, 2))).toBe(false);
    expect(c.allows(conn(pod('b'), db, 3))).toBe(true);
    expect(c.allows(conn(pod('c'), db, 3))).toBe(false);
  });

  test('ipBlock matches the CIDR minus its exceptions', () => {
    const c = new Cluster([policy('p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })]);
    expect(c.allows(conn(web, { ip: '10.2.3.4' }, 1))).toBe(true);
    expect(c.allows(conn(web, { ip: '10.1.3.4' }, 1))).toBe(false);
    expect(c.allows(conn(web, { ip: '11.0.0.1' }, 1))).toBe(false);
    expect(inCidr('192.168.1.200', '192.168.1.128/25')).toBe(true);
    expect(inCidr('192.168.1.100', '192.168.1.128/25')).toBe(false);
    expect(inCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
  });

  test('ports match by number, range, protocol and name', () => {
    const c = new Cluster([
      policy('p', {
        podSelector: {},
        ingress: [{ ports: [{ port: 'sql' }, { port: 1000, endPort: 1010 }, { protocol: 'UDP', port: 'dns' }, { protocol: 'UDP', port: 7000 }] }],
      }),
    ]);
    expect(c.allows(conn(web, db, 5432))).toBe(true); // named port sql = 5432 on db
    expect(c.allows(conn(web, web, 5432))).toBe(false); // web has no port named sql
    expect(c.allows(conn(web, db, 1005))).toBe(true);
    expect(c.allows(conn(web, db, 1011))).toBe(false);
    expect(c.allows(conn(web, db, 53, 'UDP'))).toBe(true);
    expect(c.allows(conn(web, db, 53, 'TCP'))).toBe(false);
    expect(c.allows(conn(web, db, 7000, 'TCP'))).toBe(false);
    expect(c.allows(conn(web, db, 7000, 'UDP'))).toBe(true);
  });

  test('rules without peers or ports match everything; a rule list that is empty matches nothing', () => {
    expect(new Cluster([policy('p', { podSelector: {}, ingress: [{}] })]).allows(conn(internet, db, 9))).toBe(true);
    expect(new Cluster([policy('p', { podSelector: {}, ingress: [] })]).allows(conn(internet, db, 9))).toBe(false);
  });

  test('label selectors support matchLabels and every matchExpressions operator', () => {
    const labels = { a: '1', b: '2' };
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { a: '2' } }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'c', operator: 'In', values: ['1'] }] }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    expect(matchesSelector({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });
});

describe('extra rules from the values (docs/network-policy.md)', () => {
  /** The ```yaml examples of the document, as values. */
  const examples = [...fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'network-policy.md'), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => YAML.parse(m[1]));
  const base = { auth: { existingSecret: 's' }, namespace: { name: 'sessions' }, infinispan: { enabled: true } };
  const namespaces = { keda: { 'kubernetes.io/metadata.name': 'keda' }, 'ingress-nginx': { 'kubernetes.io/metadata.name': 'ingress-nginx' } };
  const keda = pod('keda', { app: 'keda-operator' });
  const nginx = pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });
  const renders = (values: object) => [
    ['synth', renderValues(values)] as const,
    ...HELM_MAJORS.map((m) => [`helm${m}`, renderedObjects(helmTemplate(m, values))] as const),
  ];
  const flows = (objects: readonly K8sObject[]) => {
    const cluster = new Cluster(policiesOf(objects), namespaces);
    const to = (component: string) => ownPod(objects, component);
    return {
      kedaRedis: cluster.allows({ from: keda, to: to('redis'), port: 6379 }),
      kedaSentinel: cluster.allows({ from: keda, to: to('sentinel'), port: 26379 }),
      kedaInfinispan: cluster.allows({ from: keda, to: to('infinispan'), port: 11222 }),
      otherKedaPodRedis: cluster.allows({ from: pod('keda', { app: 'keda-metrics-apiserver' }), to: to('redis'), port: 6379 }),
      nginxInfinispan: cluster.allows({ from: nginx, to: to('infinispan'), port: 11222 }),
      nginxRedis: cluster.allows({ from: nginx, to: to('redis'), port: 6379 }),
    };
  };
  const closed = { kedaRedis: false, kedaSentinel: false, kedaInfinispan: false, otherKedaPodRedis: false, nginxInfinispan: false, nginxRedis: false };

  test('the document has the KEDA and the ingress controller examples', () => {
    expect(examples).toHaveLength(2);
  });

  test('without extra rules none of those flows is open', () => {
    for (const [label, objects] of renders(base)) expect({ label, got: flows(objects) }).toEqual({ label, got: closed });
  });

  test('the KEDA example opens Redis and Sentinel to the KEDA operator only', () => {
    for (const [label, objects] of renders({ ...base, ...examples[0] })) {
      expect({ label, got: flows(objects) }).toEqual({ label, got: { ...closed, kedaRedis: true, kedaSentinel: true } });
    }
  });

  test('the ingress controller example opens Infinispan to the ingress controller only', () => {
    for (const [label, objects] of renders({ ...base, ...examples[1] })) {
      expect({ label, got: flows(objects) }).toEqual({ label, got: { ...closed, nginxInfinispan: true } });
    }
  });

  test('an extra rule where the chart has no policy of that direction makes one (maintenance ingress, standalone Redis egress)', () => {
    const values = {
      ...base,
      redis: { mode: 'standalone', replicas: 1 },
      networkPolicy: {
        maintenance: { extraIngress: [{ from: [{ podSelector: { matchLabels: { app: 'debug' } } }] }] },
        redis: { extraEgress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] }] },
      },
    };
    for (const [label, objects] of renders(values)) {
      const cluster = new Cluster(policiesOf(objects), namespaces);
      const got = {
        debugToMaintenance: cluster.allows({ from: pod('sessions', { app: 'debug' }), to: ownPod(objects, 'maintenance'), port: 8080 }),
        otherToMaintenance: cluster.allows({ from: pod('sessions', { app: 'web' }), to: ownPod(objects, 'maintenance'), port: 8080 }),
        redisOut: cluster.allows({ from: ownPod(objects, 'redis'), to: { ip: '203.0.113.9' }, port: 443 }),
        redisOutHttp: cluster.allows({ from: ownPod(objects, 'redis'), to: { ip: '203.0.113.9' }, port: 80 }),
      };
      expect({ label, got }).toEqual({ label, got: { debugToMaintenance: true, otherToMaintenance: false, redisOut: true, redisOutHttp: false } });
    }
  });
});
