import { UnknownFieldChecker, schemaErrors } from '../support/kubernetes-schema';
import { infinispanObjects, renderInfinispan } from './values';

/** Every Infinispan object, with every optional part on (monitoring, TLS certificate). */
const objects = infinispanObjects(
  renderInfinispan({ tls: { enabled: true }, infinispan: { persistence: { storageClass: 'fast' }, metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } } } }),
);

test('the Infinispan objects validate against the schemas of their kinds and have no unknown field', () => {
  expect(objects.map((o) => o.kind).sort()).toEqual(
    ['Certificate', 'ConfigMap', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'Service', 'ServiceAccount', 'ServiceMonitor', 'StatefulSet'],
  );
  const checker = new UnknownFieldChecker(objects);
  expect(objects.flatMap((o) => [...schemaErrors(o), ...checker.check(o)])).toEqual([]);
});

test('the check covers the custom resources too (a misspelt field in each is caught)', () => {
  const checker = new UnknownFieldChecker(objects);
  for (const kind of ['ServiceMonitor', 'PrometheusRule', 'Certificate', 'StatefulSet']) {
    const bad = structuredClone(objects.find((o) => o.kind === kind)!);
    bad.spec.bogusField = 1;
    expect([kind, [...schemaErrors(bad), ...checker.check(bad)].length]).not.toEqual([kind, 0]);
  }
});
