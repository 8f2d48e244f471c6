import { K8sObject } from '../support/manifests';
import { Cluster, NetworkPolicy, Pod } from '../support/network-policy-evaluator';
import { renderInfinispan, statefulSet } from './values';

const NS = 'sessions';
const policiesOf = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];

function podOf(objects: K8sObject[], stsName: string): Pod {
  const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === stsName)!;
  return { namespace: NS, labels: sts.spec.template.metadata.labels, ports: sts.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []) };
}

const clientPod: Pod = { namespace: NS, labels: { 'session-database/client': 'true' } };
const strangerPod: Pod = { namespace: NS, labels: { app: 'something-else' } };
const prometheusPod: Pod = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const dnsPod: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

/** Flow table: from, to, port, protocol, allowed? */
type Row = [string, Pod | 'infinispan' | 'redis', Pod | 'infinispan' | 'redis', number, 'TCP' | 'UDP', boolean];

function evaluate(objects: K8sObject[], rows: Row[]) {
  const cluster = new Cluster(policiesOf(objects), { [NS]: {}, monitoring: {}, 'kube-system': {} });
  const infinispan = podOf(objects, 'session-database-infinispan');
  const redis = podOf(objects, 'session-database-redis');
  const resolve = (p: Row[1]) => (p === 'infinispan' ? infinispan : p === 'redis' ? redis : p);
  return rows.map(([what, from, to, port, protocol]) => [what, cluster.allows({ from: { pod: resolve(from) }, to: { pod: resolve(to) }, port, protocol })]);
}

describe('the NetworkPolicies with Infinispan enabled', () => {
  const rows: Row[] = [
    ['client → Infinispan Hot Rod/REST', clientPod, 'infinispan', 11222, 'TCP', true],
    ['unlabelled pod → Infinispan', strangerPod, 'infinispan', 11222, 'TCP', false],
    ['client → Infinispan JGroups', clientPod, 'infinispan', 7800, 'TCP', false],
    ['Infinispan ↔ Infinispan JGroups TCP', 'infinispan', 'infinispan', 7800, 'TCP', true],
    ['Infinispan ↔ Infinispan FD_SOCK2', 'infinispan', 'infinispan', 57800, 'TCP', true],
    ['Infinispan → Infinispan on another port', 'infinispan', 'infinispan', 8080, 'TCP', false],
    ['Infinispan → cluster DNS (DNS_PING)', 'infinispan', dnsPod, 53, 'UDP', true],
    ['Infinispan → cluster DNS over TCP', 'infinispan', dnsPod, 53, 'TCP', true],
    ['Infinispan → Redis', 'infinispan', 'redis', 6379, 'TCP', false],
    ['Redis → Infinispan', 'redis', 'infinispan', 11222, 'TCP', false],
    ['client → Redis still works', clientPod, 'redis', 6379, 'TCP', true],
    ['Prometheus → Infinispan /metrics without a ServiceMonitor', prometheusPod, 'infinispan', 11222, 'TCP', false],
  ];

  test('allow exactly the Infinispan flows', () => {
    const objects = renderInfinispan();
    expect(evaluate(objects, rows)).toEqual(rows.map(([what, , , , , allowed]) => [what, allowed]));
  });

  test('let the monitoring namespace scrape /metrics once the ServiceMonitor is on', () => {
    const objects = renderInfinispan({ infinispan: { metrics: { serviceMonitor: { enabled: true } } } });
    const scrape: Row[] = [
      ['Prometheus → Infinispan /metrics', prometheusPod, 'infinispan', 11222, 'TCP', true],
      ['Prometheus → Infinispan JGroups', prometheusPod, 'infinispan', 7800, 'TCP', false],
    ];
    expect(evaluate(objects, scrape)).toEqual(scrape.map(([what, , , , , allowed]) => [what, allowed]));
  });

  test('select the Infinispan pods with at least one ingress and one egress policy', () => {
    const objects = renderInfinispan();
    const cluster = new Cluster(policiesOf(objects));
    const pod = podOf(objects, statefulSet(objects).metadata.name);
    expect(cluster.selecting(pod, 'Ingress').length).toBeGreaterThan(0);
    expect(cluster.selecting(pod, 'Egress').length).toBeGreaterThan(0);
  });
});
