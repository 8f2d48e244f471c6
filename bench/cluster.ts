/**
 * Figures of the local Kubernetes cluster (scripts/cluster): what its build cost (as recorded when the
 * cached binaries were built), a warm "build" (everything cached), the time from `up` to Ready, a
 * production `helm install --wait`, and the wall time of the whole cluster test suite.
 * Figures only; nothing here is a timed test. A cluster already up (e.g. `npm run cluster -- up`) is left
 * alone: the start figure is then not measured.
 */
import { spawnSync } from 'child_process';
import { coldBuildSeconds, ensureAllBuilt } from '../scripts/cluster/build';
import { down, isUp, up } from '../scripts/cluster/cluster';
import { PROJECT_ROOT } from '../src/render/assets';
import { connect, createNamespace, deleteNamespace, expectHelmOk, installChart } from '../test/support/cluster';
import { Figure, round } from './figures';

/** A build that compiled fewer packages than this reused a warm Go build cache: not a cold figure. */
const COLD_MIN_PACKAGES = { kubernetes: 2000, etcd: 300, kwok: 300, kubeconform: 20 } as const;


export async function run(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const cold = coldBuildSeconds(COLD_MIN_PACKAGES);
  if (cold !== undefined) figures.push({ name: 'cluster_cold_build_s', value: round(cold), unit: 's', goal: 'reference' });
  else process.stderr.write('bench: cluster_cold_build_s not measured (the cached binaries were built on a warm Go build cache)\n');

  let started = Date.now();
  await ensureAllBuilt(Object.keys(COLD_MIN_PACKAGES) as (keyof typeof COLD_MIN_PACKAGES)[]);
  figures.push({ name: 'cluster_warm_build_s', value: round((Date.now() - started) / 1000), unit: 's', goal: '<= 5' });

  const wasUp = await isUp();
  if (!wasUp) {
    // The suite from a stopped cluster, as CI runs it: it starts the cluster and stops it at the end.
    started = Date.now();
    const suite = spawnSync('npx', ['jest', 'test/cluster'], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    if (suite.status !== 0) throw new Error(`jest test/cluster failed:\n${suite.stderr.slice(-4000)}`);
    figures.push({ name: 'cluster_suite_s', value: round((Date.now() - started) / 1000), unit: 's', goal: '<= 300' });
  } else {
    process.stderr.write('bench: the cluster is already up; cluster_suite_s and cluster_start_s are measured only from a stopped cluster\n');
  }

  const owner = `bench-${process.pid}`;
  const cluster = await up({ owner });
  try {
    if (cluster.started) figures.push({ name: 'cluster_start_s', value: round(cluster.startSeconds!), unit: 's', goal: '<= 30' });
    const c = connect(cluster.kubeconfig, cluster.binaries, true);
    const ns = createNamespace(c, `sdb-bench-${process.pid}`);
    try {
      const install = await installChart({ ...c, namespace: () => ns }, { major: 4, namespace: ns, valuesFile: 'values/production.yaml' });
      expectHelmOk({ ...c, namespace: () => ns }, install, ns);
      figures.push({ name: 'helm_install_wait_s', value: round(install.seconds), unit: 's', goal: '<= 60' });
    } finally {
      deleteNamespace(c, ns);
    }
  } finally {
    await down(owner);
  }
  return figures;
}
