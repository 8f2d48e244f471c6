/**
 * The helm test Pod of the SYNTHESIZED manifests (dist/<env>/tests/health-check.yaml) run against a
 * running RedisCluster: its own command (`sh /etc/health-check/health-check.sh`, the script from the
 * health-check ConfigMap of the same manifests), its env (the client contract by envFrom, the passwords
 * by secretKeyRef, the CA file), its volumes, and the cluster DNS names the contract holds, resolved as
 * in a pod through a PodNetwork (./master-endpoint.ts: own /etc/hosts and resolv.conf in a mount
 * namespace). Overrides stand for a broken deployment: other passwords in the auth Secret, env.
 */
import { AclUser } from '../../../src/components/redis/contract';
import { passwordFile } from '../../../src/components/secrets/keys';
import { K8sObject } from '../manifests';
import { RedisCluster } from './cluster';
import { PodNetwork } from './master-endpoint';
import { makePod } from './pods';
import { RunResult, run } from './processes';

/** The Pod that `helm test` runs (annotation helm.sh/hook: test) named <fullname>-health-check. */
export function healthCheckPod(objects: readonly K8sObject[], fullname: string): K8sObject {
  const pod = objects.find((o) => o.kind === 'Pod' && o.metadata.name === `${fullname}-health-check`);
  if (!pod) throw new Error(`no Pod ${fullname}-health-check in the manifests`);
  if (pod.metadata.annotations?.['helm.sh/hook'] !== 'test') throw new Error(`Pod ${pod.metadata.name} is not a helm test hook`);
  return pod;
}

export interface HealthCheckRun extends RunResult {
  /** stdout and stderr together, as `kubectl logs` shows them. */
  readonly output: string;
}

export interface HealthCheckOptions {
  /** Passwords the auth Secret hands the test pod in place of the cluster's (a wrong password). */
  readonly passwords?: Partial<Record<AclUser, string>>;
  /** Env set over the pod's (e.g. a contract value pointing elsewhere, or another CA file). */
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** Run the helm test Pod once, to its exit, inside the network's name resolution. */
export async function runHealthCheck(cluster: RedisCluster, network: PodNetwork, opts: HealthCheckOptions = {}): Promise<HealthCheckRun> {
  const manifest = healthCheckPod(cluster.objects, cluster.fullname);
  // makePod lays out a workload's pod template; a bare Pod is its own template.
  const asTemplate = { ...manifest, spec: { template: { metadata: manifest.metadata, spec: manifest.spec } } } as K8sObject;
  const pod = makePod('client', asTemplate, 0, {
    objects: cluster.objects,
    root: `${cluster.root}/health-check-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    octet: cluster.octet,
    secretData: (name) => {
      const data = cluster.secretData(name);
      if (!opts.passwords || !(passwordFile('app') in data)) return data;
      const changed = { ...data };
      for (const [user, password] of Object.entries(opts.passwords)) changed[passwordFile(user)] = password!;
      return changed;
    },
    resolvesNames: true,
  });
  const [file, ...args] = network.sandbox(cluster.localCommand(pod, pod.container.command));
  const timeoutMs = opts.timeoutMs ?? (manifest.spec.activeDeadlineSeconds ?? 120) * 1000;
  const result = await run(file, args, { env: { ...cluster.processEnv(pod), ...(opts.env ?? {}) }, timeoutMs, cwd: pod.root });
  return { ...result, output: `${result.stdout}${result.stderr}` };
}
