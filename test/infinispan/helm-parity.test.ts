import { HELM_MAJORS } from '../../scripts/helm';
import { byName, helmTemplate, renderedObjects } from '../support/helm';
import { K8sObject } from '../support/manifests';
import { infinispanValues, renderInfinispan } from './values';

/**
 * The objects this component decides: Infinispan's own, the client contract and the
 * NetworkPolicies (which carry the Infinispan flows). The rest of the chart has its own
 * parity tests (test/helm/parity.test.ts).
 */
const ours = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'NetworkPolicy' || /^(infinispan|client)/.test(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''));

/** Value sets that switch every Infinispan guard and optional part both ways. */
const CASES: Record<string, object> = {
  'infinispan.enabled=true (defaults)': {},
  'metrics on, custom storage class, custom cache': {
    infinispan: {
      replicas: 4,
      javaOptions: '-Xmx700m',
      persistence: { storageClass: 'fast-ssd', size: '5Gi' },
      cache: { name: 'agents', owners: 3, segments: 80, lifespanMilliseconds: 900000, maxIdleMilliseconds: 300000, fileStore: { passivation: true, purge: true } },
      metrics: { serviceMonitor: { enabled: true, interval: '15s' }, prometheusRule: { enabled: true, for: '2m' } },
      auth: { admin: { enabled: true, usernameKey: 'ops-user', passwordKey: 'ops-pass' } },
    },
  },
  'no disruption budget, no spreading, sentinel-less Redis': {
    redis: { mode: 'standalone', replicas: 1 },
    infinispan: { replicas: 1, cache: { owners: 1 }, podDisruptionBudget: { enabled: false }, topologySpread: { enabled: false } },
  },
};

describe.each(Object.entries(CASES))('with %s', (_, overrides) => {
  const dist = byName(ours(renderInfinispan(overrides)));

  test.each(HELM_MAJORS.map((m) => [m]))('helm %i template renders exactly the objects of the static render', (major) => {
    const helm = byName(ours(renderedObjects(helmTemplate(major, infinispanValues(overrides)))));
    expect(Object.keys(helm).sort()).toEqual(Object.keys(dist).sort());
    for (const key of Object.keys(dist)) expect([key, helm[key]]).toEqual([key, dist[key]]);
  });
});

test('helm template --set infinispan.enabled=true matches the static render of the same values', () => {
  const base = infinispanValues();
  const withoutFlag = { ...base, infinispan: undefined };
  const helm = byName(ours(renderedObjects(helmTemplate(3, withoutFlag, ['--set', 'infinispan.enabled=true']))));
  const dist = byName(ours(renderInfinispan()));
  expect(Object.keys(helm).filter((k) => /infinispan/.test(k)).length).toBeGreaterThanOrEqual(6);
  expect(helm).toEqual(dist);
});
