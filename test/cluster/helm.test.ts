import { HELM_MAJORS } from '../../scripts/helm';
import { CHART, RELEASE } from '../support/helm';
import {
  expectHelmOk,
  installChart,
  namespacedValues,
  providePersistentVolumes,
  templateObjects,
  TestCluster,
  useCluster,
  withNodesLock,
} from '../support/cluster';

/**
 * Issue 12, proof 2: the chart's whole life on a real API server with Helm 3 and Helm 4: install --wait
 * (pods become Ready through kwok, claims bind to pre-created volumes), upgrade dev → production values,
 * rollback, uninstall (and exactly what the README says remains), and an upgrade that would change an
 * immutable StatefulSet field refused before anything is applied.
 */
const cluster = useCluster();
jest.setTimeout(600_000);

/** Kinds the chart renders into the release namespace, to list what exists after an uninstall. */
const CHART_KINDS = 'statefulsets,cronjobs,jobs,services,configmaps,secrets,serviceaccounts,persistentvolumeclaims,networkpolicies,poddisruptionbudgets,horizontalpodautoscalers,certificates,issuers,podmonitors,prometheusrules';

/** The claims of production: one per Redis and per Sentinel pod, and the backup claim. */
const PRODUCTION_CLAIMS = [
  ...[0, 1, 2].map((i) => `PersistentVolumeClaim/data-session-database-redis-${i}`),
  ...[0, 1, 2].map((i) => `PersistentVolumeClaim/data-session-database-sentinel-${i}`),
  'PersistentVolumeClaim/session-database-backup',
];

function remaining(c: TestCluster, namespace: string): string[] {
  return (c.json(['get', CHART_KINDS, '-n', namespace]).items as any[])
    .filter((o) => !(o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt')) // every namespace has it
    .filter((o) => !(o.kind === 'ServiceAccount' && o.metadata.name === 'default'))
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();
}

function statefulSet(c: TestCluster, namespace: string, name: string): any {
  const r = c.kubectl(['get', 'statefulset', name, '-n', namespace, '-o', 'json']);
  return r.status === 0 ? JSON.parse(r.stdout) : undefined;
}

function revisions(c: TestCluster, major: 3 | 4, namespace: string): { revision: number; status: string; description: string }[] {
  const r = c.helm(major, ['history', RELEASE, '-n', namespace, '-o', 'json']);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** Volumes for the claims of `valuesFile` that do not exist yet (an upgrade adds pods and claims). */
function volumesFor(c: TestCluster, major: 3 | 4, namespace: string, valuesFile: string): void {
  const existing = new Set((c.json(['get', 'persistentvolumeclaims', '-n', namespace]).items as any[]).map((p) => p.metadata.name));
  providePersistentVolumes(c, namespace, templateObjects(c, major, namespace, namespacedValues(valuesFile, namespace)), existing);
}

describe.each(HELM_MAJORS)('Helm %i on a real API server', (major) => {
  test('install --wait with values/dev.yaml, upgrade to values/production.yaml, rollback, uninstall', async () => {
    const ns = cluster.namespace(`helm${major}-life`);
    const install = await installChart(cluster, { major, namespace: ns, valuesFile: 'values/dev.yaml' });
    expectHelmOk(cluster, install, ns);
    expect(statefulSet(cluster, ns, 'session-database-redis').status.readyReplicas).toBe(1);

    volumesFor(cluster, major, ns, 'values/production.yaml');
    const upgrade = await withNodesLock(() => cluster.helm(major, ['upgrade', RELEASE, CHART, '-n', ns, ...namespacedValues('values/production.yaml', ns), '--wait', '--timeout', '5m']));
    expectHelmOk(cluster, upgrade, ns);
    expect(statefulSet(cluster, ns, 'session-database-redis').status.readyReplicas).toBe(3);
    expect(statefulSet(cluster, ns, 'session-database-sentinel').status.readyReplicas).toBe(3);

    // README (Scaling, autoscaling off): Helm applies the old StatefulSet before it deletes the HPA, which can
    // scale it back up in between (seen with Helm 4 here); so the HPA goes first.
    cluster.kubectlOk(['delete', 'horizontalpodautoscaler', 'session-database-redis', '-n', ns]);
    const rollback = await withNodesLock(() => cluster.helm(major, ['rollback', RELEASE, '1', '-n', ns, '--wait', '--timeout', '5m']));
    expectHelmOk(cluster, rollback, ns);
    expect(revisions(cluster, major, ns).map((r) => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ]);
    const redis = statefulSet(cluster, ns, 'session-database-redis');
    expect(redis.spec.replicas).toBe(1);
    expect(statefulSet(cluster, ns, 'session-database-sentinel')).toBeUndefined();

    const uninstall = cluster.helm(major, ['uninstall', RELEASE, '-n', ns, '--wait', '--timeout', '5m']);
    expectHelmOk(cluster, uninstall, ns);
    // README "Uninstall": the StatefulSets' claims (Kubernetes keeps them), the backup claim (resource-policy
    // keep) and the auth Secret you created (auth.existingSecret) stay; everything else goes.
    expect(remaining(cluster, ns)).toEqual(PRODUCTION_CLAIMS.concat('Secret/session-database-auth').sort());
  });

  test('install --wait with values/production.yaml and a generated auth Secret; uninstall keeps the claims and that Secret', async () => {
    const ns = cluster.namespace(`helm${major}-prod`);
    const install = await installChart(cluster, { major, namespace: ns, valuesFile: 'values/production.yaml', generatedSecret: true });
    expectHelmOk(cluster, install, ns);
    for (const name of ['session-database-redis', 'session-database-sentinel']) {
      expect(statefulSet(cluster, ns, name).status.readyReplicas).toBe(3);
    }
    const claims = cluster.json(['get', 'persistentvolumeclaims', '-n', ns]).items as any[];
    expect(claims.map((c) => `PersistentVolumeClaim/${c.metadata.name} ${c.status.phase}`).sort()).toEqual(PRODUCTION_CLAIMS.map((c) => `${c} Bound`));
    const secret = cluster.json(['get', 'secret', 'session-database-auth', '-n', ns]);
    expect(Object.keys(secret.data).sort()).toEqual(['app-password', 'backup-password', 'cache-password', 'cleanup-password', 'monitor-password', 'replication-password', 'sentinel-password']);

    expectHelmOk(cluster, cluster.helm(major, ['uninstall', RELEASE, '-n', ns, '--wait', '--timeout', '5m']), ns);
    expect(remaining(cluster, ns)).toEqual(PRODUCTION_CLAIMS.concat('Secret/session-database-auth').sort());
    // A reinstall adopts what was kept and keeps the same passwords.
    const reinstall = await withNodesLock(() => cluster.helm(major, ['install', RELEASE, CHART, '-n', ns, ...namespacedValues('values/production.yaml', ns), '--set', 'auth.existingSecret=', '--wait', '--timeout', '5m']));
    expectHelmOk(cluster, reinstall, ns);
    expect(cluster.json(['get', 'secret', 'session-database-auth', '-n', ns]).data).toEqual(secret.data);
  });

  test('an upgrade that changes an immutable StatefulSet field is refused with our message before anything is applied', async () => {
    const ns = cluster.namespace(`helm${major}-immutable`);
    expectHelmOk(cluster, await installChart(cluster, { major, namespace: ns, valuesFile: 'values/production.yaml' }), ns);
    const before = statefulSet(cluster, ns, 'session-database-redis');
    const configBefore = cluster.json(['get', 'configmaps', '-n', ns]).items.map((c: any) => [c.metadata.name, c.metadata.resourceVersion]);

    // A pod-template change (allowed) together with a claim size change (not allowed).
    const upgrade = cluster.helm(major, ['upgrade', RELEASE, CHART, '-n', ns, ...namespacedValues('values/production.yaml', ns),
      '--set', 'redis.persistence.size=50Gi', '--set-string', 'redis.resources.limits.cpu=3', '--set', 'redis.master.maxmemory=1000mb', '--wait', '--timeout', '2m']);
    expect(upgrade.status).not.toBe(0);
    expect(upgrade.stderr).toContain(
      `upgrade refused, nothing was changed: StatefulSet ${ns}/session-database-redis cannot change spec.volumeClaimTemplates[data] storage size from 20Gi to 50Gi`,
    );
    expect(upgrade.stderr).toContain('--cascade=orphan');

    expect(revisions(cluster, major, ns).map((r) => [r.revision, r.status])).toEqual([[1, 'deployed']]);
    const after = statefulSet(cluster, ns, 'session-database-redis');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec.template).toEqual(before.spec.template);
    expect(cluster.json(['get', 'configmaps', '-n', ns]).items.map((c: any) => [c.metadata.name, c.metadata.resourceVersion])).toEqual(configBefore);
  });
});
