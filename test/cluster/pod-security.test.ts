import { eventually, expectHelmOk, installChart, useCluster } from '../support/cluster';
import { RELEASE } from '../support/helm';

/**
 * Issue 12, proof 3: in a namespace that enforces Pod Security "restricted", every pod that the real
 * controllers create from the chart's StatefulSets, Deployments and CronJobs (each triggered once with a
 * Job), and the helm test Pod, is admitted, with no FailedCreate event; a privileged pod in the same namespace is refused.
 */
const cluster = useCluster();
jest.setTimeout(600_000);

/** Everything the chart can run at once: production plus standalone monitoring and Infinispan. */
const EVERYTHING_ON = ['--set', 'monitoring.mode=standalone', '--set', 'monitoring.standalone.grafana.adminSecret=grafana-admin', '--set', 'infinispan.enabled=true'];

const CASES: [string, string, string[]][] = [
  ['values/dev.yaml', 'dev', []],
  ['values/production.yaml', 'production', []],
  ['values/production.yaml with standalone monitoring and Infinispan', 'everything', EVERYTHING_ON],
];

describe.each(CASES)('Pod Security "restricted" with %s', (_title, prefix, extraArgs) => {
  test('admits every pod the StatefulSet, Deployment and Job controllers create, with no FailedCreate event', async () => {
    const ns = cluster.namespace(`psa-${prefix}`);
    expect(cluster.json(['get', 'namespace', ns]).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const valuesFile = prefix === 'dev' ? 'values/dev.yaml' : 'values/production.yaml';
    const install = await installChart(cluster, { major: 4, namespace: ns, valuesFile, extraArgs });
    expectHelmOk(cluster, install, ns);
    // Pod Security "warn" would have printed a warning for any workload whose pods it would refuse.
    expect(install.stderr).not.toMatch(/PodSecurity/);

    const workloads = cluster.json(['get', 'statefulsets,deployments,cronjobs', '-n', ns]).items as any[];
    expect(workloads.filter((w) => w.kind === 'StatefulSet').length).toBeGreaterThan(0);
    expect(workloads.filter((w) => w.kind === 'CronJob').length).toBeGreaterThan(0);
    for (const cronJob of workloads.filter((w) => w.kind === 'CronJob')) {
      cluster.kubectlOk(['create', 'job', `${cronJob.metadata.name}-once`, `--from=cronjob/${cronJob.metadata.name}`, '-n', ns]);
    }
    const jobs = workloads.filter((w) => w.kind === 'CronJob').map((c) => `${c.metadata.name}-once`);
    await eventually('every Job from a CronJob completed', () => {
      const items = cluster.json(['get', 'jobs', '-n', ns]).items as any[];
      return jobs.every((name) => items.find((j) => j.metadata.name === name)?.status?.succeeded >= 1);
    }, 120_000);

    // The helm test Pod (a hook: only `helm test` creates it) is admitted too. kwok never completes a Pod no Job
    // owns, so `helm test` gives up waiting for it; admission is what this proves (test/health-check runs it live).
    const helmTest = cluster.helm(4, ['test', RELEASE, '-n', ns, '--timeout', '10s']);
    expect(helmTest.stderr).not.toMatch(/PodSecurity|forbidden/);
    const hook = cluster.json(['get', 'pod', `${RELEASE}-health-check`, '-n', ns]);
    expect(hook.metadata.annotations['helm.sh/hook']).toBe('test');

    const pods = cluster.json(['get', 'pods', '-n', ns]).items as any[];
    const ownerOf = (pod: any) => pod.metadata.ownerReferences?.[0];
    for (const w of workloads.filter((x) => x.kind !== 'CronJob')) {
      const owned = pods.filter((p) => ownerOf(p)?.kind === w.kind && ownerOf(p)?.name === w.metadata.name ||
        (w.kind === 'Deployment' && ownerOf(p)?.kind === 'ReplicaSet' && ownerOf(p)?.name.startsWith(`${w.metadata.name}-`)));
      expect({ workload: `${w.kind}/${w.metadata.name}`, pods: owned.length }).toEqual({ workload: `${w.kind}/${w.metadata.name}`, pods: w.spec.replicas });
    }
    for (const job of jobs) {
      expect({ job, pods: pods.filter((p) => ownerOf(p)?.kind === 'Job' && ownerOf(p)?.name === job).length }).toEqual({ job, pods: 1 });
    }
    const failedCreate = (cluster.json(['get', 'events', '-n', ns]).items as any[])
      .filter((e) => e.reason === 'FailedCreate')
      .map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`);
    expect(failedCreate).toEqual([]);
  });
});

test('a privileged pod in the same kind of namespace is refused by Pod Security admission', () => {
  const ns = cluster.namespace('psa-privileged');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'privileged', namespace: ns },
    spec: { containers: [{ name: 'c', image: 'redis:7.2.7', securityContext: { privileged: true } }] },
  };
  const r = cluster.kubectl(['create', '-f', '-'], JSON.stringify(pod));
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\)/);
  expect(cluster.kubectl(['get', 'pod', 'privileged', '-n', ns]).status).not.toBe(0);
});
